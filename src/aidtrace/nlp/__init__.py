"""NLP stages: spaCy parse, actor mentions, numbers, dates, claims."""
