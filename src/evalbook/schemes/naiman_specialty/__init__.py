"""Scheme ``naiman-specialty``: 临床重点专科建设评估."""
