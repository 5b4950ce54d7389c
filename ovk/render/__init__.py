"""`ovk render`: the view-model of bilagor, the main document and the index, and the Jinja
environment that renders them with every value escaped.
"""
