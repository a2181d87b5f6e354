"""Writing: scripts and post copy for a product, from a brief — offline templates or an OpenAI-compatible model."""
