"""Drives the control plane with boto3, as a migrating Voice ID customer's Python code would.

Usage: python boto3_control_plane.py <endpoints.json>. Prints OK and exits 0 when every step behaves as Voice ID did.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoints = json.load(open(sys.argv[1]))
voiceid = boto3.client(
    "voice-id",
    endpoint_url=endpoints["voiceId"],
    region_name=endpoints["region"],
    aws_access_key_id=endpoints["credentials"]["accessKeyId"],
    aws_secret_access_key=endpoints["credentials"]["secretAccessKey"],
)


def expect_error(code, call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as error:
        assert error.response["Error"]["Code"] == code, error.response
        return error.response
    raise AssertionError(f"{call.__name__} succeeded; expected {code}")


domain = voiceid.create_domain(
    Name="boto3-domain", ServerSideEncryptionConfiguration={"KmsKeyId": endpoints["defaultKmsKeyArn"]}
)["Domain"]
domain_id = domain["DomainId"]
watchlist = voiceid.create_watchlist(DomainId=domain_id, Name="boto3-watchlist")["Watchlist"]
assert voiceid.describe_watchlist(DomainId=domain_id, WatchlistId=watchlist["WatchlistId"])["Watchlist"]["Name"] == "boto3-watchlist"

# boto3's paginators follow NextToken to the end.
names = [w["Name"] for page in voiceid.get_paginator("list_watchlists").paginate(DomainId=domain_id, PaginationConfig={"PageSize": 1}) for w in page["WatchlistSummaries"]]
assert sorted(names) == ["Default", "boto3-watchlist"], names

speaker = voiceid.opt_out_speaker(DomainId=domain_id, SpeakerId="boto3-caller")["Speaker"]
assert speaker["Status"] == "OPTED_OUT"
assert voiceid.describe_speaker(DomainId=domain_id, SpeakerId=speaker["GeneratedSpeakerId"])["Speaker"]["CustomerSpeakerId"] == "boto3-caller"
assert len(voiceid.list_speakers(DomainId=domain_id)["SpeakerSummaries"]) == 1
voiceid.delete_speaker(DomainId=domain_id, SpeakerId="boto3-caller")

voiceid.tag_resource(ResourceArn=domain["Arn"], Tags=[{"Key": "owner", "Value": "fraud-team"}])
assert voiceid.list_tags_for_resource(ResourceArn=domain["Arn"])["Tags"] == [{"Key": "owner", "Value": "fraud-team"}]

missing = expect_error("ResourceNotFoundException", voiceid.describe_speaker, DomainId=domain_id, SpeakerId="boto3-caller")
assert missing["ResourceType"] == "SPEAKER", missing
conflict = expect_error("ValidationException", voiceid.delete_watchlist, DomainId=domain_id, WatchlistId=domain["WatchlistDetails"]["DefaultWatchlistId"])
assert "default watchlist" in conflict["Error"]["Message"], conflict

voiceid.delete_watchlist(DomainId=domain_id, WatchlistId=watchlist["WatchlistId"])
voiceid.delete_domain(DomainId=domain_id)
expect_error("ResourceNotFoundException", voiceid.describe_domain, DomainId=domain_id)
print("OK")
