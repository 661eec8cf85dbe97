"""SQL fast-path expressions of the OpenAI and Anthropic parsers, the two most logged shapes.

Each ``shape`` also rules out every trace that would make a parser of higher
priority claim the body, so the SQL path picks the same parser as the Python
path. Lines of other parsers, and lines these predicates do not accept, are
read by the Python path.
"""

from __future__ import annotations

from truecost.importers.providers.anthropic import AnthropicCloudParser, AnthropicParser
from truecost.importers.providers.openai_compat import OpenAIParser
from truecost.importers.providers.sql import BulkSql

# Traces of the hosts asked before OpenAI and Anthropic (see each parser's ``matches``).
_NO_OTHER_HOST = """
    j(x_groq) IS NULL AND j(usage_breakdown) IS NULL AND j(time_info) IS NULL
    AND j(prompt_filter_results) IS NULL
    AND coalesce(CAST(j(content_filters) AS VARCHAR), 'null') IN ('null', '[]')
    AND j(usage.is_byok) IS NULL AND j(usage.cost_details) IS NULL
    AND j(usage.prompt_cache_hit_tokens) IS NULL AND j(usage.billed_units) IS NULL
    AND j(usageMetadata) IS NULL AND j(usage.inputTokens) IS NULL
    AND NOT starts_with(coalesce(s(id), ''), 'gen-')
"""

_CHAT = "s(object) = 'chat.completion' AND j(usage.input_tokens) IS NULL"
_RESPONSES = "s(object) = 'response' AND j(usage.prompt_tokens) IS NULL"
_PROMPT = "(n(usage.prompt_tokens) + n(usage.input_tokens))"
_COMPLETION = "(n(usage.completion_tokens) + n(usage.output_tokens))"
_CACHED = (
    "(n(usage.prompt_tokens_details.cached_tokens) + n(usage.input_tokens_details.cached_tokens))"
)
_WRITTEN = (
    "(n(usage.prompt_tokens_details.cache_write_tokens)"
    " + n(usage.input_tokens_details.cache_write_tokens))"
)
_REASONING = (
    "(n(usage.completion_tokens_details.reasoning_tokens)"
    " + n(usage.output_tokens_details.reasoning_tokens))"
)

OPENAI_SQL = BulkSql(
    shape=f"""
        j(type) IS NULL AND ({_CHAT} OR {_RESPONSES})
        AND regexp_matches(s(id), '^(chatcmpl-|resp_)')
        AND regexp_matches(s(model), '^(gpt-|o1|o3|o4|chatgpt-|codex-|computer-use-|ft:gpt)')
        AND {_NO_OTHER_HOST}
    """,
    eligible=f"""
        j(usage) IS NOT NULL AND json_type(j(usage)) = 'OBJECT'
        AND j(usage.cached_tokens) IS NULL
        AND {_CACHED} + {_WRITTEN} <= {_PROMPT} AND {_REASONING} <= {_COMPLETION}
        AND (j(usage.total_tokens) IS NULL OR n(usage.total_tokens) = {_PROMPT} + {_COMPLETION})
        AND (n(created) > 0 OR (j(created) IS NULL AND n(created_at) > 0))
        AND n(completed_at) >= 0
        -- Always true: mentioning s() makes these fields string-or-absent for the SQL path.
        AND s(status) IS NOT DISTINCT FROM s(status)
        AND s(service_tier) IS NOT DISTINCT FROM s(service_tier)
    """,
    response_id="s(id)",
    model="s(model)",
    created="to_timestamp(CASE WHEN j(created) IS NOT NULL THEN n(created) ELSE n(created_at) END)",
    input_tokens=f"{_PROMPT} - {_CACHED} - {_WRITTEN}",
    cache_read_tokens=_CACHED,
    cache_write_5m_tokens=_WRITTEN,
    output_tokens=_COMPLETION,
    reasoning_tokens=_REASONING,
    web_searches=f"CASE WHEN {_RESPONSES} THEN n(tool_usage.web_search.num_requests) ELSE 0 END",
    input_audio_tokens=f"CASE WHEN {_CHAT} THEN n(usage.prompt_tokens_details.audio_tokens) ELSE 0 END",
    output_audio_tokens=(
        f"CASE WHEN {_CHAT} THEN n(usage.completion_tokens_details.audio_tokens) ELSE 0 END"
    ),
    service_tier="s(service_tier)",
    latency_ms=f"""CASE WHEN {_RESPONSES} AND j(created_at) IS NOT NULL
        AND j(completed_at) IS NOT NULL AND n(completed_at) >= n(created_at)
        THEN (n(completed_at) - n(created_at)) * 1000 END""",
    status=f"""CASE WHEN NOT ({_RESPONSES}) THEN 'ok' WHEN s(status) = 'completed' THEN 'ok'
        WHEN s(status) = 'failed' THEN 'error' ELSE coalesce(s(status), 'ok') END""",
)

ANTHROPIC_SQL = BulkSql(
    shape=f"""
        s(type) = 'message' AND j(usage.input_tokens) IS NOT NULL
        AND json_type(j(usage)) = 'OBJECT' AND j(output) IS NULL AND j(usage.prompt_tokens) IS NULL
        AND j(object) IS NULL
        AND NOT regexp_matches(coalesce(s(id), ''), '^msg_(bdrk|vrtx)_')
        AND {_NO_OTHER_HOST}
    """,
    eligible="""
        s(id) IS NOT NULL AND s(model) IS NOT NULL AND j(usage.iterations) IS NULL
        AND j(usage.cache_creation) IS NOT NULL
        AND n(usage.cache_creation.ephemeral_5m_input_tokens)
            + n(usage.cache_creation.ephemeral_1h_input_tokens)
            = n(usage.cache_creation_input_tokens)
        -- Always true: mentioning s() makes the tier string-or-absent for the SQL path.
        AND s(usage.service_tier) IS NOT DISTINCT FROM s(usage.service_tier)
    """,
    response_id="s(id)",
    model="s(model)",
    input_tokens="n(usage.input_tokens)",
    cache_read_tokens="n(usage.cache_read_input_tokens)",
    cache_write_5m_tokens="n(usage.cache_creation.ephemeral_5m_input_tokens)",
    cache_write_1h_tokens="n(usage.cache_creation.ephemeral_1h_input_tokens)",
    output_tokens="n(usage.output_tokens)",
    reasoning_tokens="n(usage.output_tokens_details.thinking_tokens)",
    web_searches="n(usage.server_tool_use.web_search_requests)",
    service_tier="s(usage.service_tier)",
    batch="coalesce(s(usage.service_tier) = 'batch', false)",
)

OpenAIParser.bulk = OPENAI_SQL
AnthropicParser.bulk = ANTHROPIC_SQL
AnthropicCloudParser.bulk = None
