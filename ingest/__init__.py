"""The ingestion job: papers in, labelled paragraphs and their vectors out."""
