"""The development dashboard of `archgen up`: a local web page (127.0.0.1 only) with the
parts, their logs, traces (an OTLP/HTTP receiver), the topics and dead-letter queues, the
architecture drawing and an API explorer. Every buffer it keeps has a fixed size
(rings.py), so a long run under load holds the same memory as a short one."""
