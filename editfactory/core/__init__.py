"""Base pieces every layer uses: errors, ids, progress callbacks, paging, disk-space checks.

Nothing here imports anything else of editfactory."""
