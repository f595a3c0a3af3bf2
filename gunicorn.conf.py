"""gunicorn's settings, read by `gunicorn -c gunicorn.conf.py wsgi:app` (see the README, Running in production).

Access and error logs go to standard output and standard error, with the tokens in e-mailed links and
calendar-feed addresses redacted (app/logs.py). Command-line options such as --workers and --bind still apply.
"""
accesslog = "-"
errorlog = "-"
logger_class = "app.logs.GunicornLogger"
