"""The exercise library: the built-in exercises shared by every studio (seeded once), and a
studio's own exercises added by its coaches."""

from sqlalchemy import select

from app.audit.services import record
from app.extensions import db
from app.training.errors import EmptyExerciseName, ExerciseTextTooLong, UnknownExerciseChoice
from app.training.models import CUE_MAX, NAME_MAX, Equipment, Exercise, Measure, MuscleGroup
from app.training.models import Equipment as E
from app.training.models import MuscleGroup as M

# (English name, Arabic name, English cue, Arabic cue, muscle group, equipment)
LIBRARY = [
    # Chest
    ("Bench press", "ضغط البنش", "Feet planted, shoulder blades pinned, bar to mid-chest.",
     "ثبّت قدميك واضمم لوحي الكتف وأنزل البار إلى منتصف الصدر.", M.CHEST, E.BARBELL),
    ("Incline bench press", "ضغط البنش المائل", "Bench at 30°, lower the bar to the upper chest.",
     "اضبط المقعد على 30 درجة وأنزل البار إلى أعلى الصدر.", M.CHEST, E.BARBELL),
    ("Dumbbell bench press", "ضغط البنش بالدمبل", "Lower the dumbbells slowly, elbows at 45°.",
     "أنزل الدمبل ببطء والمرفقان بزاوية 45 درجة.", M.CHEST, E.DUMBBELL),
    ("Dumbbell fly", "التفتيح بالدمبل", "Soft elbows, open wide, squeeze the chest to close.",
     "مرفقان منثنيان قليلاً، افتح ذراعيك ثم اضغط الصدر للإغلاق.", M.CHEST, E.DUMBBELL),
    ("Push-up", "تمرين الضغط", "Body in one straight line, chest to the floor.",
     "حافظ على جسمك في خط مستقيم وأنزل صدرك نحو الأرض.", M.CHEST, E.BODYWEIGHT),
    ("Cable crossover", "التقاطع بالكابل", "Lean forward slightly, bring the hands together low.",
     "مِل إلى الأمام قليلاً واجمع يديك في الأسفل.", M.CHEST, E.CABLE),
    ("Chest press machine", "ضغط الصدر على الجهاز",
     "Handles at chest height, push without locking out.",
     "المقابض بمستوى الصدر، ادفع دون قفل المرفقين.", M.CHEST, E.MACHINE),
    ("Chest dip", "تمرين المتوازي للصدر",
     "Lean forward and lower until the shoulders are below the elbows.",
     "مِل إلى الأمام وانزل حتى يصبح الكتفان أسفل المرفقين.", M.CHEST, E.BODYWEIGHT),
    # Back
    ("Deadlift", "الرفعة الميتة", "Bar over mid-foot, flat back, push the floor away.",
     "البار فوق منتصف القدم، ظهر مستقيم، وادفع الأرض بقدميك.", M.BACK, E.BARBELL),
    ("Pull-up", "تمرين العقلة", "Start from a dead hang, pull the chest to the bar.",
     "ابدأ من تعلّق كامل واسحب صدرك نحو العارضة.", M.BACK, E.BODYWEIGHT),
    ("Chin-up", "العقلة بقبضة معكوسة", "Palms facing you, chin over the bar, lower with control.",
     "الكفّان نحوك، الذقن فوق العارضة، ثم انزل بتحكم.", M.BACK, E.BODYWEIGHT),
    ("Lat pulldown", "السحب العلوي", "Pull the bar to the upper chest, elbows down and back.",
     "اسحب البار إلى أعلى الصدر والمرفقان للأسفل والخلف.", M.BACK, E.CABLE),
    ("Barbell row", "التجديف بالبار", "Hinge to 45°, pull the bar to the lower ribs.",
     "انحنِ بزاوية 45 درجة واسحب البار نحو أسفل الأضلاع.", M.BACK, E.BARBELL),
    ("One-arm dumbbell row", "التجديف بالدمبل بذراع واحدة",
     "Hand on the bench, pull the dumbbell to the hip.",
     "ضع يدك على المقعد واسحب الدمبل نحو الورك.", M.BACK, E.DUMBBELL),
    ("Seated cable row", "التجديف بالكابل جالساً",
     "Chest tall, squeeze the shoulder blades together.",
     "صدر مرفوع واضمم لوحي الكتف معاً.", M.BACK, E.CABLE),
    ("T-bar row", "التجديف بالبار T", "Keep the chest over the bar and pull to the sternum.",
     "أبقِ صدرك فوق البار واسحب نحو عظمة القص.", M.BACK, E.MACHINE),
    ("Back extension", "تمديد الظهر", "Hinge at the hips, rise until the body is straight.",
     "انثنِ من الورك وارتفع حتى يستقيم جسمك.", M.BACK, E.MACHINE),
    ("Inverted row", "التجديف المعكوس", "Body straight under the bar, pull the chest up to it.",
     "جسم مستقيم تحت العارضة، واسحب صدرك نحوها.", M.BACK, E.BODYWEIGHT),
    # Shoulders
    ("Overhead press", "الضغط فوق الرأس بالبار",
     "Squeeze the glutes, press straight up, head through.",
     "شدّ عضلات المؤخرة وادفع للأعلى مباشرة وأدخل رأسك تحت البار.", M.SHOULDERS, E.BARBELL),
    ("Seated dumbbell press", "ضغط الكتف بالدمبل جالساً", "Back on the pad, press without arching.",
     "ظهرك على المسند، واضغط دون تقويس أسفل الظهر.", M.SHOULDERS, E.DUMBBELL),
    ("Lateral raise", "الرفرفة الجانبية", "Lead with the elbows, stop at shoulder height.",
     "ارفع بقيادة المرفقين وتوقف عند مستوى الكتف.", M.SHOULDERS, E.DUMBBELL),
    ("Front raise", "الرفع الأمامي", "Raise to eye level with straight arms, no swinging.",
     "ارفع حتى مستوى العينين بذراعين مستقيمتين ودون تأرجح.", M.SHOULDERS, E.DUMBBELL),
    ("Face pull", "سحب الحبل للوجه", "Pull the rope to the forehead, elbows high.",
     "اسحب الحبل نحو الجبهة والمرفقان مرتفعان.", M.SHOULDERS, E.CABLE),
    ("Rear delt fly", "الرفرفة الخلفية", "Hinge forward and open the arms with soft elbows.",
     "انحنِ للأمام وافتح ذراعيك بمرفقين منثنيين قليلاً.", M.SHOULDERS, E.DUMBBELL),
    ("Arnold press", "ضغط أرنولد", "Rotate the palms out as you press overhead.",
     "أدر الكفّين للخارج أثناء الضغط فوق الرأس.", M.SHOULDERS, E.DUMBBELL),
    ("Band pull-apart", "فتح المطاط", "Arms straight, pull the band to the chest.",
     "ذراعان مستقيمتان، وافتح المطاط حتى يلامس صدرك.", M.SHOULDERS, E.BAND),
    # Arms
    ("Barbell curl", "ثني الذراعين بالبار", "Elbows pinned to the sides, no swinging.",
     "المرفقان ملاصقان للجانبين ودون تأرجح.", M.ARMS, E.BARBELL),
    ("Dumbbell curl", "ثني الذراعين بالدمبل", "Turn the palms up as you curl.",
     "أدر الكفّين للأعلى أثناء الثني.", M.ARMS, E.DUMBBELL),
    ("Hammer curl", "الثني بقبضة المطرقة", "Thumbs up, curl without moving the elbows.",
     "الإبهام للأعلى، واثنِ دون تحريك المرفقين.", M.ARMS, E.DUMBBELL),
    ("Triceps pushdown", "دفع الترايسبس بالكابل",
     "Elbows fixed at the sides, push until the arms are straight.",
     "ثبّت المرفقين بجانبيك وادفع حتى تستقيم الذراعان.", M.ARMS, E.CABLE),
    ("Overhead triceps extension", "تمديد الترايسبس فوق الرأس",
     "Elbows point forward, lower behind the head.",
     "المرفقان للأمام، وأنزل الوزن خلف الرأس.", M.ARMS, E.DUMBBELL),
    ("Skull crusher", "تمرين كسارة الجمجمة", "Lower the bar to the forehead, upper arms still.",
     "أنزل البار نحو الجبهة مع ثبات العضد.", M.ARMS, E.BARBELL),
    ("Bench dip", "الغطس على المقعد", "Hands behind you on the bench, lower to 90° at the elbows.",
     "يداك خلفك على المقعد، وانزل حتى زاوية 90 درجة في المرفقين.", M.ARMS, E.BODYWEIGHT),
    ("Close-grip bench press", "ضغط البنش بقبضة ضيقة",
     "Hands shoulder-width, elbows close to the body.",
     "اليدان بعرض الكتفين والمرفقان قريبان من الجسم.", M.ARMS, E.BARBELL),
    # Legs
    ("Back squat", "القرفصاء الخلفية بالبار",
     "Chest up, knees track over the toes, hips below parallel.",
     "صدر مرفوع، الركبتان باتجاه أصابع القدم، والورك أدنى من مستوى الركبة.", M.LEGS, E.BARBELL),
    ("Front squat", "القرفصاء الأمامية بالبار", "Elbows high, sit straight down between the heels.",
     "المرفقان مرتفعان، وانزل مستقيماً بين الكعبين.", M.LEGS, E.BARBELL),
    ("Goblet squat", "قرفصاء الكأس", "Hold the weight at the chest, elbows inside the knees.",
     "أمسك الوزن عند الصدر والمرفقان داخل الركبتين.", M.LEGS, E.KETTLEBELL),
    ("Bodyweight squat", "القرفصاء بوزن الجسم",
     "Arms forward, sit back and down, heels on the floor.",
     "ذراعان للأمام، اجلس للخلف وللأسفل والكعبان على الأرض.", M.LEGS, E.BODYWEIGHT),
    ("Leg press", "ضغط الساقين", "Feet shoulder-width, lower until the knees reach 90°.",
     "القدمان بعرض الكتفين، وانزل حتى تصل الركبتان إلى 90 درجة.", M.LEGS, E.MACHINE),
    ("Walking lunge", "الطعن مع المشي", "Long step, back knee close to the floor, torso upright.",
     "خطوة طويلة، الركبة الخلفية قريبة من الأرض، والجذع مستقيم.", M.LEGS, E.DUMBBELL),
    ("Reverse lunge", "الطعن الخلفي", "Step back and drop the back knee straight down.",
     "اخطُ للخلف وأنزل الركبة الخلفية عمودياً.", M.LEGS, E.BODYWEIGHT),
    ("Bulgarian split squat", "القرفصاء البلغارية",
     "Back foot on the bench, lower over the front heel.",
     "القدم الخلفية على المقعد، وانزل فوق كعب القدم الأمامية.", M.LEGS, E.DUMBBELL),
    ("Romanian deadlift", "الرفعة الميتة الرومانية",
     "Soft knees, push the hips back, bar close to the legs.",
     "ركبتان مرنتان، ادفع الورك للخلف والبار قريب من الساقين.", M.LEGS, E.BARBELL),
    ("Leg extension", "تمديد الساقين", "Straighten the knees fully, lower slowly.",
     "مدّ الركبتين بالكامل ثم أنزل ببطء.", M.LEGS, E.MACHINE),
    ("Lying leg curl", "ثني الساقين منبطحاً",
     "Hips pressed into the pad, curl the heels to the glutes.",
     "الورك ملتصق بالمسند، واثنِ الكعبين نحو المؤخرة.", M.LEGS, E.MACHINE),
    ("Standing calf raise", "رفع السمانة واقفاً",
     "Rise onto the toes, pause, lower the heels fully.",
     "ارتفع على أطراف أصابعك، توقف، ثم أنزل الكعبين بالكامل.", M.LEGS, E.MACHINE),
    ("Step-up", "الصعود على الصندوق", "Drive through the front heel, stand tall at the top.",
     "ادفع بكعب القدم الأمامية وقف مستقيماً في الأعلى.", M.LEGS, E.DUMBBELL),
    # Glutes
    ("Hip thrust", "دفع الورك", "Chin tucked, drive the hips up and squeeze the glutes.",
     "الذقن للداخل، ادفع الورك للأعلى وشدّ عضلات المؤخرة.", M.GLUTES, E.BARBELL),
    ("Glute bridge", "جسر المؤخرة",
     "Feet flat, lift the hips until knees, hips and shoulders line up.",
     "القدمان على الأرض، ارفع الورك حتى تستقيم الركبتان والورك والكتفان.", M.GLUTES, E.BODYWEIGHT),
    ("Cable kickback", "الركل الخلفي بالكابل", "Kick straight back without arching the lower back.",
     "اركل للخلف مباشرة دون تقويس أسفل الظهر.", M.GLUTES, E.CABLE),
    ("Banded lateral walk", "المشي الجانبي بالمطاط",
     "Knees soft, step sideways keeping the band tight.",
     "ركبتان مرنتان، واخطُ جانباً مع إبقاء المطاط مشدوداً.", M.GLUTES, E.BAND),
    ("Sumo deadlift", "الرفعة الميتة سومو", "Wide stance, knees out, chest up as you stand.",
     "وقفة واسعة، الركبتان للخارج، والصدر مرفوع أثناء الوقوف.", M.GLUTES, E.BARBELL),
    ("Donkey kick", "ركلة الحمار", "On all fours, push one heel to the ceiling.",
     "على اليدين والركبتين، ادفع كعباً واحداً نحو السقف.", M.GLUTES, E.BODYWEIGHT),
    # Core
    ("Plank", "تمرين البلانك", "Elbows under the shoulders, body straight, breathe.",
     "المرفقان تحت الكتفين، الجسم مستقيم، وتنفّس بانتظام.", M.CORE, E.BODYWEIGHT),
    ("Side plank", "البلانك الجانبي", "Hips high, body in one line from head to feet.",
     "الورك مرتفع والجسم في خط واحد من الرأس إلى القدمين.", M.CORE, E.BODYWEIGHT),
    ("Crunch", "تمرين البطن", "Lift the shoulders, keep the lower back on the floor.",
     "ارفع الكتفين وأبقِ أسفل ظهرك على الأرض.", M.CORE, E.BODYWEIGHT),
    ("Hanging leg raise", "رفع الساقين معلّقاً",
     "No swinging, lift the legs by curling the pelvis.",
     "دون تأرجح، ارفع الساقين بلفّ الحوض للأعلى.", M.CORE, E.BODYWEIGHT),
    ("Russian twist", "الالتواء الروسي", "Lean back, rotate from the ribs, not the arms.",
     "مِل للخلف ولُفّ من القفص الصدري لا من الذراعين.", M.CORE, E.OTHER),
    ("Dead bug", "تمرين الحشرة الميتة", "Lower back flat, extend the opposite arm and leg.",
     "أسفل الظهر ملتصق بالأرض، ومدّ الذراع والساق المتقابلتين.", M.CORE, E.BODYWEIGHT),
    ("Bird dog", "تمرين الطائر والكلب", "Reach the opposite arm and leg long, hips level.",
     "مدّ الذراع والساق المتقابلتين مع إبقاء الورك مستوياً.", M.CORE, E.BODYWEIGHT),
    ("Pallof press", "ضغط بالوف", "Press the handle out and resist the rotation.",
     "ادفع المقبض للأمام وقاوم الدوران.", M.CORE, E.CABLE),
    ("Ab wheel rollout", "تمرين عجلة البطن", "Roll out slowly with a braced core, no sagging hips.",
     "تدحرج ببطء مع شدّ البطن ودون هبوط الورك.", M.CORE, E.OTHER),
    ("Mountain climber", "تمرين متسلق الجبل", "Hands under the shoulders, drive the knees fast.",
     "اليدان تحت الكتفين، واسحب الركبتين بسرعة.", M.CORE, E.BODYWEIGHT),
    # Full body
    ("Kettlebell swing", "أرجحة الكيتل بل",
     "Hinge, snap the hips, let the bell float to chest height.",
     "انثنِ من الورك ثم ادفعه بقوة ودع الكيتل بل يرتفع إلى مستوى الصدر.",
     M.FULL_BODY, E.KETTLEBELL),
    ("Burpee", "تمرين البيربي", "Chest to the floor, jump up with the hands overhead.",
     "الصدر إلى الأرض ثم اقفز واليدان فوق الرأس.", M.FULL_BODY, E.BODYWEIGHT),
    ("Thruster", "تمرين الثرستر", "Squat, then drive up and press the bar overhead in one move.",
     "انزل في قرفصاء ثم اندفع واضغط البار فوق رأسك بحركة واحدة.", M.FULL_BODY, E.BARBELL),
    ("Power clean", "النتر القوي", "Pull from the floor, extend the hips, catch on the shoulders.",
     "اسحب من الأرض، افرد الورك، والتقط البار على الكتفين.", M.FULL_BODY, E.BARBELL),
    ("Turkish get-up", "النهوض التركي", "Eyes on the bell, arm locked, one step at a time.",
     "عيناك على الكيتل بل، الذراع مفرودة، وخطوة بعد خطوة.", M.FULL_BODY, E.KETTLEBELL),
    ("Farmer's carry", "حمل المزارع", "Stand tall, shoulders down, walk with short steps.",
     "قف مستقيماً والكتفان للأسفل وامشِ بخطوات قصيرة.", M.FULL_BODY, E.DUMBBELL),
    ("Wall ball", "رمي الكرة على الحائط", "Squat deep, drive up and throw the ball to the target.",
     "انزل في قرفصاء عميقة ثم اندفع وارمِ الكرة نحو الهدف.", M.FULL_BODY, E.OTHER),
    ("Dumbbell snatch", "الخطف بالدمبل", "One smooth pull from the floor to overhead.",
     "سحبة واحدة سلسة من الأرض إلى ما فوق الرأس.", M.FULL_BODY, E.DUMBBELL),
    # Cardio
    ("Rowing machine", "جهاز التجديف", "Legs, then body, then arms; reverse on the way back.",
     "الساقان ثم الجذع ثم الذراعان، وبالعكس عند العودة.", M.CARDIO, E.MACHINE),
    ("Jump rope", "نط الحبل", "Small jumps on the balls of the feet, wrists turn the rope.",
     "قفزات صغيرة على مقدمة القدمين، والرسغان يديران الحبل.", M.CARDIO, E.OTHER),
    ("Jumping jack", "القفز مع فتح اليدين والقدمين", "Land softly, arms and legs in rhythm.",
     "اهبط بخفة وحرّك الذراعين والساقين بإيقاع واحد.", M.CARDIO, E.BODYWEIGHT),
    ("Box jump", "القفز على الصندوق", "Swing the arms, land softly with the knees bent.",
     "أرجح ذراعيك واهبط بخفة والركبتان منثنيتان.", M.CARDIO, E.OTHER),
    ("Assault bike", "دراجة الهواء", "Push and pull the handles while driving the pedals.",
     "ادفع المقابض واسحبها بينما تدوس الدواسات.", M.CARDIO, E.MACHINE),
    ("Treadmill run", "الجري على جهاز المشي", "Upright posture, short quick steps under the hips.",
     "قوام مستقيم وخطوات قصيرة سريعة تحت الورك.", M.CARDIO, E.MACHINE),
    ("High knees", "رفع الركبتين عالياً", "Knees to hip height, stay on the balls of the feet.",
     "ارفع الركبتين إلى مستوى الورك وابقَ على مقدمة القدمين.", M.CARDIO, E.BODYWEIGHT),
]


R, T, D, TD = Measure.REPS, Measure.TIME, Measure.DISTANCE, Measure.TIME_DISTANCE
# What a built-in exercise measures, by English name; the others are reps × load.
MEASURES = {
    "Push-up": R, "Chest dip": R, "Pull-up": R, "Chin-up": R, "Inverted row": R,
    "Back extension": R, "Crunch": R, "Hanging leg raise": R, "Bird dog": R,
    "Ab wheel rollout": R, "Mountain climber": R, "Burpee": R, "Jumping jack": R, "Box jump": R,
    "High knees": R, "Plank": T, "Side plank": T, "Jump rope": T, "Farmer's carry": D,
    "Rowing machine": TD, "Assault bike": TD, "Treadmill run": TD,
}


def seed_library() -> int:
    """Insert the built-in exercises that are missing (by English name); returns how many."""
    have_en = {(name or {}).get("en") for name in db.session.scalars(
        select(Exercise.name).where(Exercise.studio_id.is_(None)))}
    added = 0
    for en, ar, cue_en, cue_ar, muscle, equipment in LIBRARY:
        if en in have_en:
            continue
        db.session.add(Exercise(studio_id=None, name={"en": en, "ar": ar},
                                cues={"en": cue_en, "ar": cue_ar}, muscle_group=muscle,
                                equipment=equipment,
                                measure=MEASURES.get(en, Measure.REPS_LOAD)))
        added += 1
    db.session.flush()
    return added


LANGS = ("en", "ar")


def _clean(value: dict | None) -> dict:
    return {lang: text for lang in LANGS if (text := ((value or {}).get(lang) or "").strip())}


def add_exercise(studio, *, name: dict, cues: dict, muscle_group: str, equipment: str,
                 measure: str = Measure.REPS_LOAD.value, actor=None) -> Exercise:
    """Add an exercise of `studio`'s own to its library; a name in one language is enough."""
    name, cues = _clean(name), _clean(cues)
    if not name:
        raise EmptyExerciseName()
    if (any(len(t) > NAME_MAX for t in name.values())
            or any(len(t) > CUE_MAX for t in cues.values())):
        raise ExerciseTextTooLong(name=NAME_MAX, cue=CUE_MAX)
    try:
        muscle, kit, measured = MuscleGroup(muscle_group), Equipment(equipment), Measure(measure)
    except ValueError:
        raise UnknownExerciseChoice() from None
    exercise = Exercise(studio_id=studio.id, name=name, cues=cues, muscle_group=muscle,
                        equipment=kit, measure=measured)
    db.session.add(exercise)
    db.session.flush()
    record("exercise.added", actor=actor, studio_id=studio.id, subject=f"exercise:{exercise.id}")
    return exercise
