#!/usr/bin/env python3
"""Writes docs/openapi.json (the OpenAPI 3.1 document of `candor serve`) and
Sources/CandorServer/API/OpenAPIDocument.swift (the same text, served at /openapi.json).
Edit this file, run `make openapi`, commit both outputs (a test checks they agree)."""
import json
import os

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def err(desc):
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


E401 = err("No live bearer token (missing, unknown, expired, revoked, or the account is disabled).")
E403 = err("The role or the case assignment does not allow this; the refusal is logged.")
E400 = err("Invalid case or session id (1-128 of A-Z a-z 0-9 . _ -, not starting with . or -) or invalid body.")
E404 = err("No such session, job or analysis.")
sec = [{"bearer": []}]
# ServerErrorCode's raw values (a test checks they agree): stable, machine-readable, English-free of prose.
error_codes = [
    "invalid_request", "invalid_id", "invalid_option", "malformed_form", "missing_recording", "empty_upload", "invalid_review",
    "sign_in_required", "sign_in_failed", "session_expired", "account_disabled",
    "forbidden", "csrf_refused", "cross_origin",
    "not_found", "job_not_found", "session_not_found", "analysis_not_ready", "segments_not_found",
    "too_large", "unsupported_type", "recording_unreadable", "invalid_roles", "segments_unusable", "segments_mismatch",
    "throttled", "access_not_recorded", "internal_error",
]
case_params = [
    {"name": "case", "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/Identifier"}},
    {"name": "session", "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/Identifier"}},
]
name_param = {"name": "name", "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/Identifier"}}

doc = {
    "openapi": "3.1.0",
    "info": {
        "title": "Candor service",
        "version": "1.0.0",
        "description": "The HTTP API of `candor serve`. Every read of case data appends an `accessed` record naming the "
        "signed-in user to the session's signed audit log before the data is sent. Plain HTTP only on loopback; TLS otherwise.",
    },
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "The token from POST /api/v1/login."}},
        "schemas": {
            "Error": {"type": "object", "required": ["error", "code"], "properties": {
                "error": {"type": "string", "description": "One line in English for the client's developer and the logs; may change between versions."},
                "code": {"type": "string", "enum": error_codes,
                         "description": "What was refused, stable across versions: programs (and the web UI, which shows its own text in the page's language) decide on this."}}},
            "Identifier": {"type": "string", "pattern": "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"},
            "Login": {"type": "object", "required": ["user", "password"],
                      "properties": {"user": {"type": "string", "maxLength": 128}, "password": {"type": "string", "maxLength": 1024}}},
            "Token": {"type": "object", "required": ["token", "user", "expires"],
                      "properties": {"token": {"type": "string"}, "user": {"type": "string"}, "expires": {"type": "string", "format": "date-time"}}},
            "Cases": {"type": "object", "required": ["user", "role", "cases"], "properties": {
                "user": {"type": "string"}, "role": {"type": "string", "enum": ["investigator", "supervisor", "researcher", "admin"]},
                "cases": {"type": "array", "items": {"type": "object", "required": ["case", "sessions", "investigators"], "properties": {
                    "case": {"type": "string"}, "sessions": {"type": "array", "items": {"type": "string"}},
                    "investigators": {"type": "array", "items": {"type": "string"}}}}}}},
            "Job": {"type": "object", "required": ["job", "state", "case", "attempts", "input_sha256"], "properties": {
                "job": {"type": "integer"}, "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
                "case": {"type": "string"}, "session": {"type": "string"}, "attempts": {"type": "integer"},
                "input_sha256": {"type": "string"}, "error": {"type": "string"}}},
            "Users": {"type": "object", "required": ["users"], "properties": {"users": {"type": "array", "items": {
                "type": "object", "required": ["name", "role", "disabled", "cases"], "properties": {
                    "name": {"type": "string"}, "role": {"type": "string"}, "disabled": {"type": "boolean"},
                    "cases": {"type": "array", "items": {"type": "string"}}}}}}},
            "UserState": {"type": "object", "required": ["user", "disabled", "sessions_revoked"], "properties": {
                "user": {"type": "string"}, "disabled": {"type": "boolean"}, "sessions_revoked": {"type": "integer"}}},
            "SegmentsCreated": {"type": "object", "required": ["segments", "count", "format", "bytes"], "properties": {
                "segments": {"type": "string", "description": "The file's SHA-256: give it as ?segments= when uploading the recording."},
                "count": {"type": "integer"}, "format": {"type": "string"}, "bytes": {"type": "integer"}}},
            "JobCreated": {"type": "object", "required": ["job"], "properties": {"job": {"type": "integer"}}},
            "Review": {"type": "object", "required": ["concerns_seq", "kind", "note"], "properties": {
                "concerns_seq": {"type": "integer", "minimum": 0}, "kind": {"type": "string", "enum": ["note", "override", "disregard"]},
                "note": {"type": "string", "maxLength": 4000}, "override": {"type": "string"}}},
            "ReviewCreated": {"type": "object", "required": ["seq"], "properties": {"seq": {"type": "integer"}}},
            "Audit": {"type": "object", "required": ["intact", "size", "root", "records", "witnesses"], "properties": {
                "intact": {"type": "boolean"}, "size": {"type": "integer"}, "root": {"type": "string"},
                "failure": {"type": ["string", "null"]}, "checkpoint": {"type": ["string", "null"]},
                "records": {"type": "array", "items": {"type": "object", "required": ["seq", "status", "record"], "properties": {
                    "seq": {"type": "integer"}, "status": {"type": "string", "enum": ["verified", "failed", "unchecked"]},
                    "record": {"type": "object", "description": "The signed record (docs/audit-bundle.md); `user` names the signed-in user."}}}},
                "witnesses": {"type": "array", "items": {"type": "object", "required": ["name", "url", "cosigned_at"], "properties": {
                    "name": {"type": "string"}, "url": {"type": "string"}, "cosigned_at": {"type": ["integer", "null"]}}}}}},
        },
    },
    "paths": {
        "/healthz": {"get": {"operationId": "health", "summary": "Liveness.", "responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus text format: jobs by state, queue depth, analysis seconds, login failures, HTTP requests by route and status.",
                             "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/api/v1/login": {"post": {"operationId": "login", "summary": "Sign in; throttled after repeated failures per user and per address.",
                                   "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}}},
                                   "responses": {"200": {"description": "Signed in.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}},
                                                 "400": err("Not a JSON body with user and password."), "401": err("Wrong user name or password."),
                                                 "429": {"description": "Too many failed sign-ins for this user or address.",
                                                         "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/api/v1/logout": {"post": {"operationId": "logout", "summary": "Revoke this token.", "security": sec,
                                    "responses": {"204": {"description": "Revoked."}, "401": E401}}},
        "/api/v1/cases": {"get": {"operationId": "listCases", "summary": "The cases this user may see, with their sessions.", "security": sec,
                                  "responses": {"200": {"description": "Cases.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cases"}}}}, "401": E401}}},
        "/api/v1/features": {"get": {"operationId": "getFeatures", "security": sec,
                                     "summary": "Researchers: the de-identified feature table (CSV): one row per channel and per segment of every analysed "
                                     "session, keyed by a pseudonym; role, times and numeric features only (no ids, labels, names, audio or scores). Each session read is logged.",
                                     "responses": {"200": {"description": "The table.", "content": {"text/csv": {"schema": {"type": "string"}}}},
                                                   "401": E401, "403": E403, "500": err("An access could not be logged; nothing is sent.")}}},
        "/api/v1/users": {"get": {"operationId": "listUsers", "security": sec, "summary": "Admins: the accounts, their roles, states and assigned cases.",
                                  "responses": {"200": {"description": "Accounts.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Users"}}}},
                                                "401": E401, "403": E403}}},
        "/api/v1/users/{name}/disable": {"post": {"operationId": "disableUser", "security": sec,
                                                  "summary": "Admins: disable an account and revoke its sessions.", "parameters": [name_param],
                                                  "responses": {"200": {"description": "Disabled.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserState"}}}},
                                                                "400": E400, "401": E401, "403": E403, "404": E404}}},
        "/api/v1/users/{name}/enable": {"post": {"operationId": "enableUser", "security": sec,
                                                 "summary": "Admins: enable a disabled account.", "parameters": [name_param],
                                                 "responses": {"200": {"description": "Enabled.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserState"}}}},
                                                               "400": E400, "401": E401, "403": E403, "404": E404}}},
        "/api/v1/jobs/{id}": {"get": {"operationId": "getJob", "summary": "An analysis job's state.", "security": sec,
                                      "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                                      "responses": {"200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                                                    "400": E400, "401": E401, "403": E403, "404": E404}}},
        "/api/v1/cases/{case}/sessions/{session}/recordings": {"post": {
            "operationId": "uploadRecording", "summary": "Upload a recording (the body) for analysis; the uploader is recorded as the person who ingested it.",
            "security": sec, "parameters": case_params + [
                {"name": "roles", "in": "query", "required": False, "description": "Speaker role per channel, comma-separated.", "schema": {"type": "string"}},
                {"name": "format", "in": "query", "required": False, "description": "wav, flac, ogg, … (else from Content-Type).", "schema": {"type": "string"}},
                {"name": "segments", "in": "query", "required": False,
                 "description": "The SHA-256 of a segments file uploaded to this session (POST …/segments): the recording is then measured and scored segment by segment.",
                 "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},
                {"name": "method", "in": "query", "required": False,
                 "description": "Pitch method, as `candor analyze --method`: ac (autocorrelation, as Praat; the default), cc (cross-correlation, as Praat) "
                 "or robust (spectral templates, for noisy rooms; floor 60 Hz). Recorded in the analysis (parameters.pitch_method) and its audit records.",
                 "schema": {"type": "string", "enum": ["ac", "cc", "robust"], "default": "ac"}},
                {"name": "pitch_range", "in": "query", "required": False,
                 "description": "Pitch range, as `candor analyze --pitch-range`: fixed (the method's floor and ceiling; the default) or auto "
                 "(a first pass finds the speaker's own range). Recorded in the analysis and its audit records.",
                 "schema": {"type": "string", "enum": ["fixed", "auto"], "default": "fixed"}}],
            "requestBody": {"required": True, "content": {"audio/*": {"schema": {"type": "string", "contentMediaType": "audio/*"}},
                                                          "application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
            "responses": {"202": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobCreated"}}}},
                          "400": err("Invalid case or session id, or a method or pitch_range that is not one of its choices (code invalid_option); nothing kept."),
                          "401": E401, "403": E403, "413": err("Larger than the upload limit; nothing kept."),
                          "404": err("No segments file with that SHA-256 in this session."),
                          "415": err("Unknown recording type."), "422": err("Not a readable recording, or the segments do not fit it (times past its end, speakers matching no role); nothing queued.")}}},
        "/api/v1/cases/{case}/sessions/{session}/segments": {"post": {
            "operationId": "uploadSegments",
            "summary": "Upload a segments file (the body: CSV start,end,label,speaker,role, Praat TextGrid, SRT or WebVTT) for recordings of this session; "
            "it is checked with the analysis's own readers, kept under its SHA-256, and its upload recorded (evidence_ingested naming the uploader). "
            "Name it with ?segments=SHA256 when uploading the recording.",
            "security": sec, "parameters": case_params + [
                {"name": "format", "in": "query", "required": False, "description": "csv, textgrid, srt or vtt (else from Content-Type: text/csv, text/vtt, application/x-subrip).",
                 "schema": {"type": "string", "enum": ["csv", "textgrid", "srt", "vtt"]}}],
            "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}, "text/vtt": {"schema": {"type": "string"}},
                                                          "application/x-subrip": {"schema": {"type": "string"}},
                                                          "application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
            "responses": {"201": {"description": "Kept.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SegmentsCreated"}}}},
                          "400": E400, "401": E401, "403": E403, "413": err("Larger than the limit (64 MiB, or the upload limit if smaller); nothing kept."),
                          "415": err("Unknown segments type."), "422": err("Not a usable segments file (the reader's message names the line); nothing kept.")}}},
        "/api/v1/cases/{case}/sessions/{session}/analysis": {"get": {
            "operationId": "getAnalysis", "summary": "The session's latest analysis (schema candor.analysis/1); the access is logged first.", "security": sec,
            "parameters": case_params,
            "responses": {"200": {"description": "The analysis JSON.", "content": {"application/json": {"schema": {"type": "object"}}}},
                          "400": E400, "401": E401, "403": E403, "404": E404, "500": err("The access could not be logged; nothing is sent.")}}},
        "/api/v1/cases/{case}/sessions/{session}/report": {"get": {
            "operationId": "getReport", "summary": "The session report (self-contained HTML); the access is logged first.", "security": sec,
            "parameters": case_params + [
                {"name": "lang", "in": "query", "required": False,
                 "description": "The report's language: zh-TW or en (else from Accept-Language, else English).",
                 "schema": {"type": "string", "enum": ["zh-TW", "en"]}}],
            "responses": {"200": {"description": "The report.", "content": {"text/html": {"schema": {"type": "string"}}}},
                          "400": E400, "401": E401, "403": E403, "404": E404, "500": err("The access could not be logged; nothing is sent.")}}},
        "/api/v1/cases/{case}/sessions/{session}/audit": {"get": {
            "operationId": "getAudit", "summary": "The session log: verification result and records (including this access).", "security": sec,
            "parameters": case_params,
            "responses": {"200": {"description": "The log.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Audit"}}}},
                          "400": E400, "401": E401, "403": E403, "404": E404, "500": err("The access could not be logged; nothing is sent.")}}},
        "/api/v1/cases/{case}/sessions/{session}/reviews": {"post": {
            "operationId": "postReview", "summary": "A supervisor's review of a record, signed with the supervisor's own key.", "security": sec,
            "parameters": case_params,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Review"}}}},
            "responses": {"201": {"description": "Recorded.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReviewCreated"}}}},
                          "400": E400, "401": E401, "403": E403, "404": E404}}},
    },
}

text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
with open(os.path.join(root, "docs/openapi.json"), "w") as f:
    f.write(text)
# The served copy: minified, in chunks, so the Swift file stays short (a test compares the parsed documents).
compact = json.dumps(doc, sort_keys=True, separators=(",", ":"))
assert '"##' not in compact
chunks = [compact[k:k + 110] for k in range(0, len(compact), 110)]
with open(os.path.join(root, "Sources/CandorServer/API/OpenAPIDocument.swift"), "w") as f:
    f.write("// Generated by scripts/openapi.py, the source of docs/openapi.json too: edit that script and run `make openapi`.\n\n")
    f.write("/// The OpenAPI 3.1 document of the service, served at `/openapi.json` (docs/openapi.json is the same document).\n")
    f.write("public enum OpenAPIDocument {\n    public static let json = [\n")
    for c in chunks:
        f.write('        ##"' + c + '"##,\n')
    f.write('    ].joined()\n}\n')
