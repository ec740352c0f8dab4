"""Each finding of the attack on the product, and the tests that guard it.

The numbers are the findings' numbers in the security issue (high 1-5,
medium 6-14, low 15-19). Most tests live in this folder; the ones that
need another folder's fixtures (the window's pytest-qt, the XML corpus, the
command run as a subprocess) stay there and are listed here by path.
`test_findings_index.py` checks that every finding has a test, that each
test exists, and that `docs/security.md` lists the same.
"""

from __future__ import annotations

#: Finding number -> (title, tests as "path::test_name" from the project root).
FINDINGS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: (
        "Relay amplification",
        (
            "tests/security/test_server_relay_amplification.py::test_bindings_per_address_of_record_are_capped",
            "tests/security/test_server_relay_amplification.py::test_a_register_with_a_thousand_contacts_gets_its_answer",
            "tests/security/test_server_relay_amplification.py::test_one_message_is_relayed_to_at_most_the_cap",
            "tests/security/test_server_silent_target.py::test_ten_contacts_at_a_silent_host_cost_one_transaction_then_nothing",
            "tests/security/test_server_silent_target.py::test_a_live_device_keeps_getting_messages_beside_a_silent_one",
            "tests/security/test_server_silent_target.py::test_after_the_cool_down_the_target_is_tried_again",
        ),
    ),
    2: (
        "Forking loop (RFC 5393)",
        (
            "tests/security/test_server_forking_loop.py::test_contacts_at_the_server_itself_are_refused",
            "tests/security/test_server_forking_loop.py::test_the_loop_from_the_issue_leaves_the_server_answering",
            "tests/security/test_server_forking_loop.py::test_own_via_and_a_request_already_being_relayed_are_loops",
            "tests/security/test_server_forking_loop.py::test_max_forwards_is_counted_down_and_zero_is_refused",
        ),
    ),
    3: (
        "Memory under 64 KB requests",
        (
            "tests/security/test_client_memory.py::test_flood_of_64k_requests_keeps_response_bytes_only",
            "tests/security/test_client_memory.py::test_caps_hold_under_a_flood_longer_than_they_allow",
        ),
    ),
    4: (
        "Client disk fill",
        (
            "tests/security/test_client_flood.py::test_300_messages_from_one_address_get_503_after_the_limit",
            "tests/security/test_client_flood.py::test_oversized_body_gets_413_with_a_reason_and_is_not_stored",
            "tests/security/test_client_flood.py::test_full_disk_answers_500_and_says_so_once",
        ),
    ),
    5: (
        "Rich text from strangers",
        ("tests/ui/test_hostile_text.py::test_hostile_sender_is_shown_literally_everywhere",),
    ),
    6: (
        "XML behind an encoding",
        (
            "tests/sip/test_reginfo_encoding.py::test_utf7_doctype_is_refused_without_opening_anything",
            "tests/sip/test_reginfo_encoding.py::test_declared_encoding_other_than_utf8_is_refused",
            "tests/sip/test_reginfo_encoding.py::test_parser_error_text_never_reaches_the_reason",
            "tests/sip/test_reginfo_encoding.py::test_the_parser_alone_refuses_every_external_load",
        ),
    ),
    7: (
        "Who may watch whom (RFC 3680 section 5)",
        (
            "tests/security/test_server_watch_policy.py::test_only_the_user_and_its_listed_watchers_may_watch",
        ),
    ),
    8: (
        "Messages from anywhere",
        (
            "tests/security/test_client_sources.py::test_direct_message_from_another_host_gets_403_and_nothing_is_stored",
            "tests/security/test_client_sources.py::test_a_display_name_from_the_network_never_renames_a_conversation",
        ),
    ),
    9: (
        "Relay From checks",
        (
            "tests/security/test_server_relay_from.py::test_look_alikes_are_not_relayed",
            "tests/security/test_server_relay_from.py::test_the_real_alice_is_relayed",
        ),
    ),
    10: (
        "User enumeration",
        (
            "tests/security/test_server_enumeration.py::test_register_for_a_real_and_an_unknown_user_look_alike",
            "tests/security/test_server_enumeration.py::test_anonymous_message_cannot_tell_online_offline_or_unknown",
        ),
    ),
    11: (
        "Password guessing",
        (
            "tests/security/test_server_password_guessing.py::test_a_guessing_source_is_answered_503_and_every_failure_logged",
            "tests/security/test_server_password_guessing.py::test_a_guessed_user_is_blocked_from_every_source",
        ),
    ),
    12: (
        "TCP exhaustion",
        (
            "tests/security/test_client_tcp.py::test_one_source_cannot_take_every_connection",
            "tests/security/test_client_tcp.py::test_a_connection_that_sends_nothing_is_closed",
            "tests/security/test_client_tcp.py::test_half_a_message_trickled_byte_by_byte_is_closed",
        ),
    ),
    13: (
        "Subscriptions without limit",
        (
            "tests/security/test_server_subscription_limits.py::test_subscriptions_per_watcher_and_per_address_are_capped",
            "tests/security/test_server_subscription_limits.py::test_register_is_answered_first_and_notifies_do_not_hold_others_up",
        ),
    ),
    14: (
        "Passwords across domains",
        (
            "tests/security/test_server_passwords_across_domains.py::test_each_address_has_its_own_password",
        ),
    ),
    15: (
        "Digest: qop, uri binding, SHA-256 first",
        (
            "tests/security/test_server_digest.py::test_sha256_is_offered_first_then_md5_each_with_qop_auth",
            "tests/security/test_server_digest.py::test_only_what_was_offered_is_accepted",
            "tests/security/test_server_digest.py::test_a_replayed_nonce_count_is_refused",
        ),
    ),
    16: (
        "A TLS account listens on TLS or not at all",
        ("tests/security/test_client_tls.py::test_tls_account_takes_no_cleartext_connection",),
    ),
    17: (
        "Private files",
        (
            "tests/test_private_files.py::test_cli_creates_a_private_history",
            "tests/test_private_files.py::test_explicit_db_in_a_new_folder_is_private_too",
            "tests/test_private_files.py::test_settings_file_and_folder_are_private",
        ),
    ),
    18: (
        "charset=base64, over 64 KB on TCP, another address's reginfo, RTL and newlines",
        (
            "tests/test_cli_hostile_input.py::test_base64_charset_is_415_and_overrides_are_escaped",
            "tests/security/test_oversized_tcp.py::test_listen_answers_an_oversized_reginfo_notify_with_413",
            "tests/security/test_oversized_tcp.py::test_registrar_answers_an_oversized_message_with_413",
            "tests/security/test_oversized_tcp.py::test_the_rest_of_a_refused_message_is_read_and_dropped_not_reset",
            "tests/services/test_presence_foreign.py::test_registration_of_another_address_is_ignored",
            "tests/ui/test_hostile_text.py::test_hostile_sender_is_shown_literally_everywhere",
        ),
    ),
    19: (
        "Command-line errors",
        (
            "tests/test_cli_errors.py::test_db_that_is_a_folder",
            "tests/test_cli_errors.py::test_db_that_is_not_a_database",
            "tests/test_cli_errors.py::test_empty_password_variable",
            "tests/security/test_server_registrar_command.py::test_a_port_out_of_range_is_one_sentence_and_exit_2",
            "tests/security/test_server_registrar_command.py::test_a_port_in_use_is_one_sentence_with_the_port_and_exit_1",
            "tests/security/test_unreachable_registrar.py::test_closed_registrar_port_fails_at_once_with_one_sentence",
            "tests/security/test_unreachable_registrar.py::test_dead_first_target_is_left_for_the_second",
            "tests/test_cli_errors.py::test_unreachable_registrar_fails_the_message_in_one_sentence",
        ),
    ),
}
