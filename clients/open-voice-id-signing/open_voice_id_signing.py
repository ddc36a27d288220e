"""Sign Voice ID calls for API Gateway when they go to an Open Voice ID deployment.

API Gateway's IAM authorization accepts only SigV4 signatures made for the service name ``execute-api``; the AWS
CLI and boto3 sign Voice ID calls for ``voiceid``, and have no setting to change that. This module changes it, for
Voice ID calls only, and only when they go anywhere but Amazon's own Voice ID endpoints, so the same configuration
still works against AWS.

AWS CLI v1 (in the CLI's Python environment)::

    pip install ./clients/open-voice-id-signing
    aws configure set plugins.open_voice_id open_voice_id_signing

AWS CLI v2 loads v1 plugins from a directory it is told of (provisional in v2)::

    [plugins]
    cli_legacy_plugin_path = <site-packages where it is installed>
    open_voice_id = open_voice_id_signing

boto3::

    voiceid = boto3.client("voice-id", endpoint_url=endpoint)
    open_voice_id_signing.register(voiceid.meta.events)
"""

import re
from urllib.parse import urlsplit

SIGNING_NAME = "execute-api"
# botocore's event for a Voice ID request about to be signed (its service id "Voice ID", hyphenated).
BEFORE_SIGN = "before-sign.voice-id"
# Amazon's own Voice ID endpoints (including FIPS and China), which expect the service's own signing name.
_AWS_VOICE_ID_HOST = re.compile(r"^voiceid(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


def sign_for_api_gateway(request, **_):
    """botocore ``before-sign`` handler: sign for ``execute-api`` unless the request goes to Amazon's Voice ID."""
    host = urlsplit(request.url).hostname or ""
    if _AWS_VOICE_ID_HOST.match(host):
        return
    request.context.setdefault("signing", {})["signing_name"] = SIGNING_NAME


def register(events):
    """Installs the handler on a botocore event emitter (a session's, or a client's ``meta.events``)."""
    events.register(BEFORE_SIGN, sign_for_api_gateway)


def awscli_initialize(cli):
    """The AWS CLI's plugin entry point: its clients share these event hooks."""
    register(cli)
