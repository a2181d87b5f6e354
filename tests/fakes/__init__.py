"""Local fake servers that follow real external APIs (Postiz, ElevenLabs) for tests, with fault injection."""
