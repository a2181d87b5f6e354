"""Every custom browser component of the studio, defined as soon as the app is imported.

Bokeh sends the definitions of custom models (one per JSComponent class) with a session's *first* document, and
Panel adds a class's definition to a later model only for the first session that draws the class. So a class first
imported by a page opened while other tabs were open was unknown to those tabs: "could not resolve type
'SampleRecorder1'", and the page stayed on "Opening …". Importing every component with the app defines them before
any session's first document. A new component goes into ``CUSTOM_COMPONENTS`` (a test checks none is missing).
"""

from __future__ import annotations

from editfactory.ui.file_choice import ChosenFiles
from editfactory.ui.recorder import SampleRecorder

CUSTOM_COMPONENTS = (ChosenFiles, SampleRecorder)
