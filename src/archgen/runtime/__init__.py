"""`archgen up`: the generated system, live on one machine, without Docker.

One small class per part kind (broker, PostgreSQL, Valkey, Envoy, a service) with
pre-commit's lifecycle shape (prepare, start, ready, stop) and a supervisor that
owns their process groups. Generators never import this package; it reads the
folder the writer wrote and the deployment model.
"""
