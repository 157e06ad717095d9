"""Heroku environments as code: spec, Pulumi program, Heroku API layer, verification.

Layout:
    spec/       what an environment is (pydantic models and their loader)
    program/    spec -> pulumiverse_heroku resources (`build()`), run by the engine or the mock engine
    plan/       the offline plan and environment diff, under the SDK's mock engine
    heroku/     the httpx client for the Heroku Platform API
    sandbox/    the local Heroku Platform API emulator
    verify/     expected state, live snapshot, comparison, reports (verify and drift)
    promote/    staging -> production promotion gated by verification
    cli/        the `heroku-stack` command
"""
