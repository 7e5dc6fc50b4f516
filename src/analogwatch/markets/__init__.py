"""Market watch: ingest darknet-market listings, extract what is sold, track vendors."""
