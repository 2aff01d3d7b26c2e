"""What a notebook opens: the validated, scored year (``open_year``) and the report sections every scheme shares."""
