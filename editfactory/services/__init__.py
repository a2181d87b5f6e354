"""Domain services over one profile: projects and clips, the Library page's clip catalogue, uploads, the dashboard figures.

Plain Python (no Panel); each takes the profile explicitly."""
