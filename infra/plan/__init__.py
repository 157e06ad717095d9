"""The offline plan and the environment diff: the real program under Pulumi's mock engine.

`plan_stack(stack, project_dir)` gives a `Plan` (every resource `pulumi up` would create,
its key inputs, secrets masked); `diff_plans(a, b)` compares two stacks' plans app by app.
Both are pure data, rendered as text or JSON by `render_*`.
"""
