"""A migrating customer's batch enrollment with boto3 alone: recordings and a manifest uploaded to S3 with boto3's S3
client, StartSpeakerEnrollmentJob, DescribeSpeakerEnrollmentJob until it ends, the output file read back.

Usage: python boto3_batch_job.py <endpoints.json> <folder of one speaker's 8 kHz WAV files>. Prints OK when every step
behaves as Voice ID did.
"""
import json
import pathlib
import sys
import time

import boto3

endpoints = json.load(open(sys.argv[1]))
recordings = sorted(pathlib.Path(sys.argv[2]).glob("*.wav"))
session = boto3.session.Session(
    region_name=endpoints["region"],
    aws_access_key_id=endpoints["credentials"]["accessKeyId"],
    aws_secret_access_key=endpoints["credentials"]["secretAccessKey"],
)
voiceid = session.client("voice-id", endpoint_url=endpoints["voiceId"])
s3 = session.client("s3", endpoint_url=endpoints["s3"], config=boto3.session.Config(s3={"addressing_style": "path"}))

bucket = f"boto3-batch-{int(time.time() * 1000)}"
s3.create_bucket(Bucket=bucket)
audio = []
for path in recordings:
    s3.upload_file(str(path), bucket, f"calls/{path.name}")
    audio.append({"S3Uri": f"s3://{bucket}/calls/{path.name}", "ChannelId": 0})
manifest = {"Version": "1.0", "SpeakerEnrollmentRequests": [{"RequestId": "1", "SpeakerId": "boto3-caller", "AudioSpecifications": audio}]}
s3.put_object(Bucket=bucket, Key="manifest.json", Body=json.dumps(manifest).encode())

domain_id = voiceid.create_domain(
    Name="boto3-batch", ServerSideEncryptionConfiguration={"KmsKeyId": endpoints["defaultKmsKeyArn"]}
)["Domain"]["DomainId"]
job = voiceid.start_speaker_enrollment_job(
    DomainId=domain_id,
    JobName="boto3-migration",
    DataAccessRoleArn="arn:aws:iam::000000000000:role/voice-id-batch-access",
    InputDataConfig={"S3Uri": f"s3://{bucket}/manifest.json"},
    OutputDataConfig={"S3Uri": f"s3://{bucket}/output/", "KmsKeyId": endpoints["defaultKmsKeyArn"]},
    EnrollmentConfig={"ExistingEnrollmentAction": "SKIP", "FraudDetectionConfig": {"FraudDetectionAction": "FAIL", "RiskThreshold": 50}},
)["Job"]
assert job["JobStatus"] == "SUBMITTED", job
for _ in range(600):
    job = voiceid.describe_speaker_enrollment_job(DomainId=domain_id, JobId=job["JobId"])["Job"]
    if job["JobStatus"] not in ("SUBMITTED", "IN_PROGRESS"):
        break
    time.sleep(0.25)
assert job["JobStatus"] == "COMPLETED", job
assert job["JobProgress"]["PercentComplete"] == 100, job
summaries = voiceid.list_speaker_enrollment_jobs(DomainId=domain_id, JobStatus="COMPLETED")["JobSummaries"]
assert [s["JobName"] for s in summaries] == ["boto3-migration"], summaries

output = json.loads(s3.get_object(Bucket=bucket, Key=f"output/{job['JobId']}/manifest.json.out")["Body"].read())
assert output["Errors"] == [], output
[enrollment] = output["SuccessfulEnrollments"]
assert enrollment["EnrollmentStatus"] == "NEW_ENROLLMENT" and enrollment["CustomerSpeakerId"] == "boto3-caller", output
speaker = voiceid.describe_speaker(DomainId=domain_id, SpeakerId="boto3-caller")["Speaker"]
assert speaker["Status"] == "ENROLLED" and speaker["GeneratedSpeakerId"] == enrollment["GeneratedSpeakerId"], speaker
print("OK")
