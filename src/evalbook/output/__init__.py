"""What people read: HTML pieces, charts, text forms, published tables, the nbconvert export, the browser."""
