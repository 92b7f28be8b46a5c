"""An OpenAI-compatible endpoint as extractor and embedder (`extractor = "llm"`,
`embedder = "openai"`): the client with its rate limits and retries, the prompts and their
response schemas, the extractor the importer drives concurrently, and update decisions."""
