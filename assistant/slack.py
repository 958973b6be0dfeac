"""Slack front (slack-bolt). Without Slack settings, /slack/events answers 503 with a reason."""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.settings import Settings


def mount_slack(app: FastAPI, settings: Settings, service) -> None:
    if not (settings.slack_signing_secret and settings.slack_bot_token):
        @app.post("/slack/events", include_in_schema=False)
        async def slack_not_configured():
            return JSONResponse({"detail": "Slack is not configured on this server: set "
                                 "CLERK_SLACK_SIGNING_SECRET and CLERK_SLACK_BOT_TOKEN"},
                                status_code=503)
        return
    raise NotImplementedError("Slack HTTP mode is not built yet")
