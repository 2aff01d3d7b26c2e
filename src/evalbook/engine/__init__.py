"""Executing notebooks: kernels, forked kernels, the pool, Dask, one papermill run."""
