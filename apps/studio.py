"""`panel serve apps/studio.py --plugins editfactory.ui.media_route`: the studio on the default workspace."""

from editfactory.ui.studio import create_app

create_app().servable(title="Edit Factory")
