"""Record a voice sample with the browser's microphone; the recording reaches Python as bytes.

The browser asks the user for the microphone (it only offers it on https or on
this computer). Recording stops by itself after five minutes, the longest sample
cloning takes.
"""

from __future__ import annotations

import base64
import binascii

import param
from panel.custom import JSComponent

MAX_RECORDING_BYTES = 20 * 1024**2
_EXTENSIONS = {"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a", "audio/wav": ".wav",
               "audio/mpeg": ".mp3"}


class SampleRecorder(JSComponent):
    """A record/stop button; ``recording`` is {'filename', 'data', 'seconds'} once a recording is stopped."""

    recording = param.Dict(default=None, allow_None=True, doc="The last recording (bytes), or None.")
    error = param.String(default="", doc="Why the last recording could not be used.")
    count = param.Integer(default=0, doc="How many recordings were made (names them).")

    _esm = """
    export function render({ model, el }) {
      const box = document.createElement("div")
      box.style.cssText = "display: flex; align-items: center; gap: 12px; font-family: Roboto, sans-serif"
      const button = document.createElement("button")
      // Drawn like the page's outlined Material buttons (same height, case and colour), the dot in red.
      button.style.cssText = "height: 36px; padding: 5px 15px; border-radius: 4px; " +
        "border: 1px solid rgba(25, 118, 210, 0.5); color: #1976d2; background: transparent; " +
        "font: 500 14px/1.75 Roboto, sans-serif; letter-spacing: 0.02857em; cursor: pointer; white-space: nowrap"
      const status = document.createElement("span")
      status.style.cssText = "font-size: 14px; color: #555"
      const label = (text) => { button.innerHTML = '<span style="color: #d32f2f">●</span> ' + text }
      label("Record a sample")
      let recorder = null, chunks = [], started = 0, timer = null
      const seconds = () => Math.round((Date.now() - started) / 1000)
      button.onclick = async () => {
        if (recorder && recorder.state === "recording") { recorder.stop(); return }
        try {
          const stream = await navigator.mediaDevices.getUserMedia({ audio: true })
          recorder = new MediaRecorder(stream)
          chunks = []
          recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data) }
          recorder.onstop = async () => {
            clearInterval(timer)
            stream.getTracks().forEach((track) => track.stop())
            const blob = new Blob(chunks, { type: recorder.mimeType })
            const bytes = new Uint8Array(await blob.arrayBuffer())
            let binary = ""
            for (let i = 0; i < bytes.length; i += 0x8000) {
              binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000))
            }
            model.send_msg({ mime: recorder.mimeType, data: btoa(binary), seconds: seconds() })
            label("Record again")
            status.textContent = `Recorded ${seconds()} s — it is used with the uploaded samples.`
          }
          recorder.start(1000)
          started = Date.now()
          button.textContent = "■ Stop recording"
          timer = setInterval(() => {
            status.textContent = `Recording… ${seconds()} s (read a few sentences aloud)`
            if (seconds() >= 300) { recorder.stop() }
          }, 500)
        } catch (error) {
          status.textContent = "The microphone cannot be used here (" + error.name + "): open the studio on this " +
            "computer or over https, and allow the microphone in the browser."
        }
      }
      box.append(button, status)
      el.append(box)
    }
    """

    def _handle_msg(self, msg: dict) -> None:
        mime = str(msg.get("mime") or "").split(";")[0].strip().lower()
        try:
            data = base64.b64decode(msg.get("data") or "", validate=True)
        except (binascii.Error, ValueError):
            self.param.update(recording=None, error="The recording arrived damaged; record it again.")
            return
        if not data:
            self.param.update(recording=None, error="The recording is empty; check the microphone and record again.")
            return
        if len(data) > MAX_RECORDING_BYTES:
            self.param.update(recording=None, error="The recording is too large; keep a sample under five minutes.")
            return
        count = self.count + 1
        filename = f"recording-{count}{_EXTENSIONS.get(mime, '.webm')}"
        self.param.update(count=count, error="",
                          recording={"filename": filename, "data": data, "seconds": msg.get("seconds")})

    def clear(self) -> None:
        self.param.update(recording=None, error="")
