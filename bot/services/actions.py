"""The actions a button can carry, named for what it does, with their arguments.

Services name the action of each choice they offer (bot.services.outcome.Choice); the codec
(bot.telegram.callbacks) turns an action and its arguments into a button payload and back.
"""

CONSENT = "consent"  # yes | no | lang-<xx>
COUNTRY = "country"  # BE | NL
TIMEZONE = "tz"  # zone name with '/' as '.'  | other
MOMENTS = "moments"  # ok | change
CHECKIN = "ci"  # day, energy?, stress?, sleep?
CHECKIN_NOTE = "cinote"  # checkin id | skip
EXERCISE_PICK = "expick"  # exercise id
# The buttons of one showing of an exercise carry its run id (bot.core.practice), last.
EXERCISE_STEP = "exstep"  # exercise id, step index (next step to send), run
EXERCISE_END = "exend"  # exercise id, done | skipped | later, run
EXERCISE_START = "exstart"  # exercise id, run
REFLECT = "rf"  # other | later
REFLECT_SHARE = "rfshare"  # reflection id, yes | no
CRISIS = "crisis"  # ground | ok
CRISIS_ASK = "cask"  # yes | unsure | no
CRISIS_FOLLOWUP = "cfu"  # escalation id, better | hard | help_now
GP_FOLLOWUP = "gpf"  # escalation id, reached | not_yet | prepare
HISTORY = "hist"  # days
GP_SUMMARY = "gps"  # with | without (the coachee's notes)
SETTINGS = "set"  # what, value?
DELETE = "del"  # confirm:<stamp> | cancel
REMINDER = "rem"  # kind, day, later | start
QUESTIONNAIRE = "q"  # questionnaire id, item index, value
# The coach side (bot.services.coaching).
COACH = "coach"  # step_down (asks first) | step_down_yes | status
# approve | refuse | revoke (asks first) | revoke_yes | list, the coach's user id
COACH_ADMIN = "cadm"
COACH_INVITE = "cinv"  # yes | no, the invitation code
# item, on | off, f (the questions after an invitation) | p (/privacy), the coach's user id
COACH_SHARE = "cshr"
COACH_PRIVACY = "cpriv"  # panel | ask | reads | digest | unlink | unlink_yes, an item or ''
COACHEE = "cee"  # coachee id, menu | phase | homework | questionnaires | report | unlink |
#   unlink_yes | hw, exercise id | qn_set, weeks (0: never)
COACH_PHASE = "cph"  # coachee id, phase
COACH_HOMEWORK = "chw"  # coachee id, exercise id, plan
COACH_QUIET = "cqd"  # menu | list | set, days | digest | day, weekday | at, HHMM
