"""A local stand-in for Edge TTS's voice catalogue (127.0.0.1, real HTTP, the real response shape).

``edge_tts.list_voices`` GETs ``…/voices/list?trustedclienttoken=…&Sec-MS-GEC=…&Sec-MS-GEC-Version=…`` and
expects a JSON list of voices; point ``edge_tts.voices.VOICE_LIST`` at :attr:`FakeEdgeVoices.voice_list_url`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CATALOGUE = [
    {"Name": "Microsoft Server Speech Text to Speech Voice (ro-RO, EmilNeural)", "ShortName": "ro-RO-EmilNeural",
     "Gender": "Male", "Locale": "ro-RO", "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
     "FriendlyName": "Microsoft Emil Online (Natural) - Romanian (Romania)", "Status": "GA",
     "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly", "Positive"]}},
    {"Name": "Microsoft Server Speech Text to Speech Voice (en-US, AvaNeural)", "ShortName": "en-US-AvaNeural",
     "Gender": "Female", "Locale": "en-US", "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
     "FriendlyName": "Microsoft Ava Online (Natural) - English (United States)", "Status": "GA",
     "VoiceTag": {"ContentCategories": ["Conversation", "Copilot"], "VoicePersonalities": ["Expressive", "Caring"]}},
]


class FakeEdgeVoices:
    def __init__(self) -> None:
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake.requests.append(self.path)
                if not self.path.startswith("/voices/list?trustedclienttoken="):
                    self.send_error(404)
                    return
                body = json.dumps(CATALOGUE).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def voice_list_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/voices/list?trustedclienttoken=6A5AA1D4EAFF4E9FB37E23D68491D6F4"

    def __enter__(self) -> FakeEdgeVoices:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
