"""The signing name the hook leaves on requests as botocore signs them (no network: each request stops before it is sent)."""

import unittest

import botocore.session

import open_voice_id_signing


class Sent(Exception):
    """Raised in place of sending, carrying the request's SigV4 credential scope."""


def credential_scope(endpoint_url, hooked=True):
    """`<date>/<region>/<service>/aws4_request` of a ListDomains request to `endpoint_url`."""
    client = botocore.session.get_session().create_client(
        "voice-id",
        region_name="eu-west-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    if hooked:
        open_voice_id_signing.register(client.meta.events)

    def stop(request, **_):
        authorization = request.headers["Authorization"]
        authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
        raise Sent(authorization.split("Credential=")[1].split(",")[0].split("/", 2)[2])

    client.meta.events.register("before-send.voice-id", stop)
    try:
        client.list_domains()
    except Sent as sent:
        return str(sent)
    raise AssertionError("the request was not signed")


class SigningNameTest(unittest.TestCase):
    def test_signs_for_api_gateway_anywhere_but_amazons_voice_id(self):
        for endpoint in (
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/",
            "https://voice-id.example.com",
            "http://127.0.0.1:4566",
        ):
            with self.subTest(endpoint=endpoint):
                self.assertEqual(credential_scope(endpoint), "eu-west-1/execute-api/aws4_request")

    def test_leaves_amazons_voice_id_endpoints_alone(self):
        for endpoint in ("https://voiceid.eu-west-1.amazonaws.com", "https://voiceid-fips.us-east-1.amazonaws.com", None):
            with self.subTest(endpoint=endpoint):
                self.assertEqual(credential_scope(endpoint), "eu-west-1/voiceid/aws4_request")

    def test_without_the_hook_botocore_signs_for_voiceid(self):
        self.assertEqual(credential_scope("https://voice-id.example.com", hooked=False), "eu-west-1/voiceid/aws4_request")


if __name__ == "__main__":
    unittest.main()
