"""Local HTTP servers on 127.0.0.1 standing in for the network edge in tests (stdlib only, one thread each)."""
