"""Heroku environments as code: spec, Pulumi program, Heroku API layer, verification, delivery.

Layout:
    spec/       what an environment is (pydantic models and their loader)
    program/    spec -> pulumiverse_heroku resources (`build()`), run by the engine or the mock engine
    plan/       the offline plan and environment diff, under the SDK's mock engine
    policy/     the guardrail policies (CrossGuard), and their evaluation on the offline plan
    heroku/     the httpx client for the Heroku Platform API
    sandbox/    the local Heroku Platform API emulator
    rehearse/   `pulumi up` rehearsed on the sandbox: the plan replayed with the provider's requests
    verify/     expected state, live snapshot, comparison, reports (verify and drift)
    promote/    staging -> production promotion gated by verification
    cli/        the `heroku-stack` command: parses, calls one function of the packages above, prints
    clock.py    the injected clock (real or fake time) and poll_until, the one way everything waits
    demo.py     the first five minutes: every stack rehearsed and verified on an embedded sandbox
    urls.py     is a URL the local sandbox; a URL shown without its credentials
    errors.py   every error the product raises, and the exit codes
"""
