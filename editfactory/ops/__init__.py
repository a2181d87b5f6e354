"""Entry points for people and programs: batch runs, the demo, the dev server, the doctor, opening a profile (startup), the studio in a notebook."""
