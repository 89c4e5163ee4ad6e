"""frontdesk: the service-department console of a car dealership.

Nothing heavy is imported here: the console's startup time depends on it.
"""

__version__ = "0.1.0"
