"""Service class providers: the node and one handler module per service it answers."""
