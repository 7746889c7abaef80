"""The learned layer: its model, training it on the user's labelled data, and evaluating findings
against labelled spans.
"""
