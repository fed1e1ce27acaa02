"""News articles in, a traceable parquet dataset out.

The data flow lives in :mod:`pipeline.flows`; each stage is a module named for what it does.
"""

__version__ = "0.1.0"
