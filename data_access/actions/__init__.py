"""Write actions: each step a user takes in the campaign is one small module here.

Every action is a function ``act(session, user, ...)`` that checks the user's role and scope
itself (never trusting that a page hid a widget), writes the member events and the audit row in
the caller's transaction, and returns a result the caller shows. Pages reach actions through
``ui.actions.perform`` (one transaction, busy guard, caches cleared); the command line opens
its own ``write_session``. See ``base`` for the shared checks and the event writer.
"""
