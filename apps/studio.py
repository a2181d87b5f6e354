"""`panel serve apps/studio.py` entry point: the studio on the default workspace."""

from editfactory.ui.studio import create_app

create_app().servable(title="Edit Factory")
