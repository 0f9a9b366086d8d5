"""The query/retrieve panel: search remote nodes, drill down, retrieve as jobs."""
