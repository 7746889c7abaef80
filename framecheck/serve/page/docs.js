// Starts Swagger UI on the server's own OpenAPI schema (kept out of docs.html: the page's
// Content-Security-Policy runs no inline script).
'use strict';
if (window.SwaggerUIBundle) {
  window.SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true});
}
