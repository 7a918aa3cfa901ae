from models import TrajectoryState

from ..factories import make_trajectory


def test_a_trajectory_can_be_driven_to_closure(session, world):
    t = make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    assert t.state == TrajectoryState.AFGESLOTEN
    assert [e.action for e in t.events] == [
        "aangemaakt",
        "voorstellen",
        "accepteren",
        "zorg_starten",
        "afsluiten",
    ]
