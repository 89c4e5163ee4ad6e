"""Issue 18's journeys, one or more per numbered item, at 80x24: what one role records reaches the next.

The journeys live beside this file in one module per part of the visit (they were built in
parallel and share no helpers); this module is where they are collected and run, so
``pytest tests/ui/test_handoffs.py`` is the whole issue. The fixtures a journey uses are
imported with it.
"""

from __future__ import annotations

from .cashier_helpers import ready_fixture  # noqa: F401  (the ready car some journeys start from)

# items 1, 6, 7, 11: a new caller booked and checked in, the agreed pickup time, follow-ups ahead, the desk following other terminals
from .handoffs_booking import (  # noqa: F401
    test_item1_a_first_time_caller_is_booked_by_phone_and_checked_in_from_the_appointment,
    test_item6_a_pickup_time_in_the_past_is_refused_beside_the_field,
    test_item6_the_pickup_time_agreed_with_the_customer_shows_on_the_ready_list_and_the_board,
    test_item7_a_call_the_customer_asked_for_in_three_days_is_found_on_that_day_and_by_search,
    test_item11_an_idle_desk_reads_only_the_change_counter,
    test_item11_another_terminals_check_in_and_dispatch_show_on_the_desk_within_2_s,
)

# items 4, 8, 9: checked in is checked out, a statement that adds up, 抹零
from .handoffs_delivery import (  # noqa: F401
    _h_cents,
    test_item4_a_wash_skipped_and_the_qc_inspector_records_a_wash,
    test_item4_valuables_verified_at_delivery,
    test_item8_gate_pass_number_is_readable,
    test_item8_statement_lines_add_up_as_printed,
    test_item9_round_off_within_and_beyond_the_setting,
)

# item 2: recommendations have one home
from .handoffs_recommendations import (  # noqa: F401
    test_item2_a_leaders_recommendation_declined_at_delivery_printed_and_offered_next_visit,
    test_item2_the_technician_records_one_from_the_bench_without_stopping_the_job,
)

# items 3, 5, 10, 12: approved work back to the car, parts before finish, one job per technician, the demo's skills
from .handoffs_workshop import (  # noqa: F401
    _g_car,
    test_item3_approved_add_on_resumed_by_the_same_technician_with_the_new_promised_time_on_the_board,
    test_item5_finishing_without_the_parts_issued_asks_why_and_keeps_it,
    test_item10_starting_a_job_pauses_the_running_one,
    test_item12_an_air_conditioning_job_finds_the_demo_electrical_team,
)
