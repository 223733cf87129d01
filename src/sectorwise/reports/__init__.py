"""Reports that make the case: the staff portfolio dashboard, the generated legislative report (HTML, PDF,
XLSX) and the public page.
"""
