"""The answer pipeline's steps, one unit each, run in order over one `AnswerContext` by `assistant.pipeline`.

understand → screen → follow_up → retrieve → answerability → compose (extractive or with the model) → check_output
→ suggest. A step may stop the run with a status and a canned message (`context.stop`).
"""
