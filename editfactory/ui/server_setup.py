"""`panel serve … --setup <this file>`: start the studio server's background work before the first browser comes."""

from editfactory.ui.server import start_background_work

start_background_work()
