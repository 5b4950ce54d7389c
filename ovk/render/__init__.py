"""`ovk render`: the view-model of bilagor, the main document and the index, the Jinja
environment that renders them with every value escaped, and the PDF of a rendered HTML page
(through WeasyPrint, the optional extra `ovk[pdf]`, imported only for a PDF).
"""
