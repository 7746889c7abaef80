# framecheck as a service: the HTTP API, the web page and the API docs on port 8000.
#   docker build -t framecheck .
#   docker run --init -p 127.0.0.1:8000:8000 -e FRAMECHECK_SERVE_TOKEN=change-me framecheck
# The server listens on every interface inside the container, so it refuses to start without a
# token (FRAMECHECK_SERVE_TOKEN) unless the command line says --no-auth. Newsroom packs: mount a
# folder and add "--rules /rules" to the command (see compose.yaml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY framecheck ./framecheck
COPY plugins ./plugins
COPY rules ./rules
RUN pip install ".[serve]" \
    && useradd --system --uid 10001 --create-home --home-dir /home/framecheck framecheck \
    && rm -rf /src

USER framecheck
WORKDIR /home/framecheck
ENV FRAMECHECK_CACHE_DIR=/home/framecheck/.cache/framecheck
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
ENTRYPOINT ["framecheck", "serve", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--workers", "2"]
