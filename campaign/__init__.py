"""Pure domain logic of the member service card campaign: rules, sheets, reports, generators."""
