# ruff: noqa: E501  (a table of words: one object per line reads better than the wrapped tuples)
"""The words the synthetic national catalogue is made of (bench/catalogue.py): written by us for this project, in
the shape of the national portal's public fields, naming no real person and copying no data set.

Each family is a kind of procedure ("Licence de ...", "Paiement de ...") with its objects, the administrations
that deliver them and the documents they ask for; the generator crosses them with audiences and acts (first
request, renewal, duplicate), which is how the portal's near-duplicates arise."""

from __future__ import annotations

from dataclasses import dataclass

# (fr, ar)
Pair = tuple[str, str]


@dataclass(frozen=True)
class Family:
    key: str
    fr: str  # "{obj}" is replaced by the object's French name
    ar: str
    category: str
    darija: Pair  # how a citizen says the head word in Darija: (Latin letters, Arabic letters)
    objects: tuple[tuple[str, str, str], ...]  # (slug, fr, ar)
    administrations: tuple[str, ...]  # keys of ADMINISTRATIONS
    documents: tuple[Pair, ...]
    fees: tuple[int, ...]  # MAD; 0 means free
    acts: tuple[str, ...] = ("demande",)


ADMINISTRATIONS: dict[str, Pair] = {
    "commune": ("Commune (bureau d'état civil ou service des autorisations)", "الجماعة (مكتب الحالة المدنية أو مصلحة الرخص)"),
    "caidat": ("Caïdat ou pachalik de l'arrondissement", "القيادة أو الباشوية"),
    "prefecture": ("Préfecture ou province (division des affaires économiques)", "العمالة أو الإقليم (قسم الشؤون الاقتصادية)"),
    "dgsn": ("Direction générale de la sûreté nationale", "المديرية العامة للأمن الوطني"),
    "consulat": ("Consulat du Royaume du Maroc à l'étranger", "قنصلية المملكة المغربية بالخارج"),
    "justice": ("Ministère de la justice (tribunal de première instance)", "وزارة العدل (المحكمة الابتدائية)"),
    "transport": ("Ministère du transport et de la logistique (centre immatriculateur)", "وزارة النقل واللوجستيك (مركز تسجيل السيارات)"),
    "narsa": ("Agence nationale de la sécurité routière (NARSA)", "الوكالة الوطنية للسلامة الطرقية"),
    "agriculture": ("Ministère de l'agriculture (direction provinciale)", "وزارة الفلاحة (المديرية الإقليمية)"),
    "onssa": ("Office national de sécurité sanitaire des produits alimentaires (ONSSA)", "المكتب الوطني للسلامة الصحية للمنتجات الغذائية"),
    "peche": ("Département de la pêche maritime (délégation)", "قطاع الصيد البحري (المندوبية)"),
    "eaux-forets": ("Agence nationale des eaux et forêts", "الوكالة الوطنية للمياه والغابات"),
    "sante": ("Ministère de la santé (délégation provinciale)", "وزارة الصحة (المندوبية الإقليمية)"),
    "education": ("Académie régionale d'éducation et de formation", "الأكاديمية الجهوية للتربية والتكوين"),
    "enseignement-sup": ("Ministère de l'enseignement supérieur", "وزارة التعليم العالي"),
    "dgi": ("Direction générale des impôts", "المديرية العامة للضرائب"),
    "tgr": ("Trésorerie générale du Royaume (perception)", "الخزينة العامة للمملكة (القباضة)"),
    "douane": ("Administration des douanes et impôts indirects", "إدارة الجمارك والضرائب غير المباشرة"),
    "commerce": ("Ministère de l'industrie et du commerce", "وزارة الصناعة والتجارة"),
    "ompic": ("Office marocain de la propriété industrielle et commerciale (OMPIC)", "المكتب المغربي للملكية الصناعية والتجارية"),
    "cri": ("Centre régional d'investissement", "المركز الجهوي للاستثمار"),
    "cnss": ("Caisse nationale de sécurité sociale", "الصندوق الوطني للضمان الاجتماعي"),
    "emploi": ("Ministère de l'inclusion économique et de l'emploi", "وزارة الإدماج الاقتصادي والتشغيل"),
    "tourisme": ("Ministère du tourisme (délégation régionale)", "وزارة السياحة (المندوبية الجهوية)"),
    "culture": ("Ministère de la culture (direction régionale)", "وزارة الثقافة (المديرية الجهوية)"),
    "jeunesse": ("Ministère de la jeunesse et des sports", "وزارة الشباب والرياضة"),
    "habitat": ("Agence urbaine", "الوكالة الحضرية"),
    "conservation": ("Agence nationale de la conservation foncière (ANCFCC)", "الوكالة الوطنية للمحافظة العقارية"),
    "energie": ("Ministère de la transition énergétique", "وزارة الانتقال الطاقي"),
    "equipement": ("Ministère de l'équipement et de l'eau (direction provinciale)", "وزارة التجهيز والماء (المديرية الإقليمية)"),
    "environnement": ("Département de l'environnement", "قطاع البيئة"),
    "anrt": ("Agence nationale de réglementation des télécommunications", "الوكالة الوطنية لتقنين المواصلات"),
    "habous": ("Ministère des Habous et des affaires islamiques", "وزارة الأوقاف والشؤون الإسلامية"),
    "affaires-etrangeres": ("Ministère des affaires étrangères", "وزارة الشؤون الخارجية"),
    "defense": ("Administration de la défense nationale", "إدارة الدفاع الوطني"),
    "entraide": ("Entraide nationale", "التعاون الوطني"),
}

AUDIENCES: tuple[tuple[str, str, str], ...] = (  # (slug, fr, ar)
    ("particuliers", "pour les particuliers", "للأشخاص الذاتيين"),
    ("entreprises", "pour les personnes morales", "للأشخاص الاعتباريين"),
    ("mre", "pour les Marocains résidant à l'étranger", "للمغاربة المقيمين بالخارج"),
    ("etrangers", "pour les étrangers résidant au Maroc", "للأجانب المقيمين بالمغرب"),
    ("mineurs", "pour les mineurs", "للقاصرين"),
    ("tutelle", "pour les majeurs sous tutelle", "للراشدين الخاضعين للوصاية"),
)

ACTS: dict[str, tuple[str, str, str]] = {  # key -> (fr prefix, ar prefix, Darija verb in Latin letters)
    "demande": ("", "", "ndir"),
    "renouvellement": ("Renouvellement : ", "تجديد: ", "njded"),
    "duplicata": ("Duplicata (perte ou vol) : ", "نظير (ضياع أو سرقة): ", "nakhod nosskha okhra dyal"),
    "modification": ("Modification : ", "تعديل: ", "nbeddel"),
}

COMMON_DOCUMENTS: tuple[Pair, ...] = (
    ("Copie de la carte nationale d'identité électronique", "نسخة من البطاقة الوطنية للتعريف الإلكترونية"),
    ("Formulaire de demande dûment rempli et signé", "استمارة الطلب مملوءة وموقعة"),
    ("Deux photographies d'identité récentes", "صورتان شمسيتان حديثتان"),
    ("Justificatif de domicile", "شهادة السكنى"),
    ("Reçu de paiement des droits", "وصل أداء الرسوم"),
)

DELAYS: tuple[Pair, ...] = (
    ("Le jour même", "في نفس اليوم"), ("48 heures", "48 ساعة"), ("Cinq jours ouvrables", "خمسة أيام عمل"),
    ("Dix jours", "عشرة أيام"), ("Quinze jours", "خمسة عشر يوما"), ("Un mois", "شهر واحد"),
    ("Deux mois", "شهران"), ("Trente jours après dépôt du dossier complet", "ثلاثون يوما بعد إيداع الملف كاملا"),
)

FAMILIES: tuple[Family, ...] = (
    Family("passeport", "Passeport biométrique {obj}", "جواز السفر البيومتري {obj}", "identity-civil-status",
           ("lpaspor", "الباسبور"),
           (("adultes", "des adultes", "للراشدين"), ("mineurs", "des mineurs", "للقاصرين"),
            ("tutelle", "des majeurs sous tutelle", "للراشدين تحت الوصاية"),
            ("etranger", "des résidents à l'étranger", "للمقيمين بالخارج"),
            ("diplomatique", "de service", "لمهمة"), ("urgence", "en procédure d'urgence", "في حالة الاستعجال")),
           ("dgsn", "consulat", "prefecture"),
           (("Timbre fiscal électronique", "التنبر الإلكتروني"), ("Ancien passeport", "جواز السفر القديم"),
            ("Autorisation parentale légalisée", "إذن الأب أو الولي مصادق عليه")),
           (300, 500, 100), ("demande", "renouvellement", "duplicata")),
    Family("licence", "Licence de {obj}", "رخصة {obj}", "business", ("rokhsa", "الرخصة"),
           (("taxi", "taxi de première catégorie", "سيارة الأجرة من الصنف الأول"),
            ("grand-taxi", "grand taxi", "سيارة الأجرة الكبيرة"),
            ("transport-marchandises", "transport de marchandises pour compte d'autrui", "نقل البضائع لحساب الغير"),
            ("transport-touristique", "transport touristique", "النقل السياحي"),
            ("peche-cotiere", "pêche côtière", "الصيد الساحلي"), ("chasse", "chasse", "القنص"),
            ("debit-tabac", "débit de tabac", "بيع التبغ"), ("importation", "importation", "الاستيراد"),
            ("exportation", "exportation", "التصدير"), ("carriere", "exploitation de carrière", "استغلال مقلع"),
            ("agence-voyage", "agence de voyages", "وكالة الأسفار"), ("auto-ecole", "auto-école", "مدرسة تعليم السياقة"),
            ("pharmacie", "officine de pharmacie", "الصيدلية"), ("boulangerie", "boulangerie", "المخبزة"),
            ("cafe", "café et restaurant", "المقهى والمطعم"), ("hammam", "hammam", "الحمام"),
            ("telecom", "opérateur de télécommunications", "مشغل الاتصالات"),
            ("radio", "station de radio", "محطة إذاعية"), ("guide", "guide touristique", "المرشد السياحي"),
            ("armes", "détention d'arme de chasse", "حيازة سلاح القنص")),
           ("prefecture", "transport", "peche", "eaux-forets", "commerce", "tourisme", "anrt", "sante", "commune"),
           (("Casier judiciaire de moins de trois mois", "السجل العدلي لا يتجاوز ثلاثة أشهر"),
            ("Certificat médical d'aptitude", "شهادة طبية للأهلية"),
            ("Attestation d'inscription au registre de commerce", "شهادة التسجيل في السجل التجاري"),
            ("Plan des locaux", "تصميم المحلات")),
           (0, 200, 500, 1000, 2500, 5000), ("demande", "renouvellement", "duplicata", "modification")),
    Family("certificat", "Certificat de {obj}", "شهادة {obj}", "identity-civil-status", ("chahada", "الشهادة"),
           (("celibat", "célibat", "العزوبة"), ("revenu", "revenu", "الدخل"), ("non-remariage", "non-remariage", "عدم الزواج مرة أخرى"),
            ("charge-famille", "charge de famille", "التحمل العائلي"), ("indigence", "indigence", "الضعف"),
            ("conformite", "conformité", "المطابقة"), ("origine", "origine des marchandises", "منشأ البضائع"),
            ("scolarite", "scolarité", "التمدرس"), ("travail", "travail", "العمل"),
            ("non-imposition", "non-imposition", "عدم الخضوع للضريبة"), ("coutume", "coutume", "العرف"),
            ("capacite-matrimoniale", "capacité matrimoniale", "الأهلية للزواج"),
            ("radiation", "radiation", "التشطيب"), ("hygiene", "hygiène", "الصحة والنظافة"),
            ("sanitaire-export", "sanitaire à l'export", "الصحية للتصدير"),
            ("phytosanitaire", "phytosanitaire", "الصحة النباتية"), ("habitabilite", "habitabilité", "السكن"),
            ("reception-travaux", "réception des travaux", "تسلم الأشغال"),
            ("non-faillite", "non-faillite", "عدم الإفلاس"), ("bonne-conduite", "bonne conduite", "حسن السيرة")),
           ("commune", "caidat", "onssa", "agriculture", "justice", "dgi", "education", "douane", "habitat"),
           (("Copie de l'acte de naissance", "نسخة من عقد الازدياد"), ("Attestation sur l'honneur", "تصريح بالشرف"),
            ("Témoignage de deux personnes", "شهادة شاهدين")),
           (0, 0, 10, 20, 50, 200), ("demande", "duplicata")),
    Family("attestation", "Attestation de {obj}", "إشهاد ب{obj}", "social", ("l'attestation", "لاطيسطاسيون"),
           (("affiliation", "affiliation", "الانخراط"), ("salaire", "salaire", "الأجر"),
            ("droits-amo", "droits à l'assurance maladie", "الحق في التأمين الإجباري عن المرض"),
            ("non-affiliation", "non-affiliation", "عدم الانخراط"), ("pension", "pension", "المعاش"),
            ("reussite", "réussite", "النجاح"), ("stage", "stage", "التدريب"), ("handicap", "handicap", "الإعاقة"),
            ("chomage", "perte d'emploi", "فقدان الشغل"), ("domiciliation", "domiciliation", "التوطين"),
            ("immatriculation", "immatriculation", "التسجيل"), ("solde", "solde de tout compte", "تصفية الحساب"),
            ("service", "service fait", "إنجاز الخدمة"), ("depot", "dépôt de dossier", "إيداع الملف")),
           ("cnss", "emploi", "education", "enseignement-sup", "entraide", "tgr", "commune", "defense"),
           (("Numéro d'immatriculation", "رقم التسجيل"), ("Bulletins de paie", "ورقات الأداء"),
            ("Contrat de travail", "عقد العمل")),
           (0, 0, 0, 20), ("demande", "duplicata")),
    Family("paiement", "Paiement de {obj}", "أداء {obj}", "taxes", ("nkhelles", "نخلص"),
           (("amende-routiere", "l'amende routière", "الغرامة المرورية"), ("taxe-services", "la taxe de services communaux", "رسم الخدمات الجماعية"),
            ("taxe-terrains", "la taxe sur les terrains urbains non bâtis", "الرسم على الأراضي الحضرية غير المبنية"),
            ("redevance-eau", "la redevance d'occupation du domaine public hydraulique", "إتاوة احتلال الملك العام المائي"),
            ("droits-enregistrement", "droits d'enregistrement", "واجبات التسجيل"), ("tva", "la TVA", "الضريبة على القيمة المضافة"),
            ("is", "l'impôt sur les sociétés", "الضريبة على الشركات"), ("timbre", "droits de timbre", "واجبات التنبر"),
            ("frais-scolarite", "frais d'inscription universitaire", "رسوم التسجيل الجامعي"),
            ("redevance-peche", "la redevance de pêche", "إتاوة الصيد"), ("taxe-sejour", "la taxe de séjour", "رسم الإقامة"),
            ("droits-douane", "droits de douane", "الرسوم الجمركية"), ("cotisations", "cotisations sociales", "الاشتراكات الاجتماعية"),
            ("loyer-habous", "loyer des biens habous", "كراء الأملاك الحبسية"),
            ("frais-justice", "frais de justice", "الرسوم القضائية"), ("taxe-debits", "la taxe sur les débits de boissons", "الرسم على محال بيع المشروبات")),
           ("tgr", "dgi", "commune", "douane", "cnss", "habous", "justice", "equipement", "peche"),
           (("Avis d'imposition ou référence du dossier", "إشعار الضريبة أو مرجع الملف"),
            ("Relevé d'identité bancaire", "بيان التعريف البنكي")),
           (0, 30, 100, 300, 700)),
    Family("autorisation", "Autorisation de {obj}", "ترخيص {obj}", "housing", ("l'ootorizasyon", "لوطوريزاسيون"),
           (("construire", "construire", "البناء"), ("lotir", "lotir", "التجزيء"), ("demolir", "démolir", "الهدم"),
            ("occupation-domaine", "occupation temporaire du domaine public", "الاحتلال المؤقت للملك العمومي"),
            ("affichage", "affichage publicitaire", "الإشهار"), ("rassemblement", "rassemblement public", "التجمع العمومي"),
            ("tournage", "tournage de film", "تصوير فيلم"), ("forage", "forage d'un puits", "حفر بئر"),
            ("abattage", "abattage d'arbres", "قطع الأشجار"), ("ouverture-ecole", "ouverture d'école privée", "فتح مدرسة خصوصية"),
            ("ouverture-clinique", "ouverture de clinique", "فتح مصحة"), ("camping", "camping", "التخييم"),
            ("vente-ambulante", "vente ambulante", "البيع المتجول"), ("transport-exceptionnel", "transport exceptionnel", "النقل الاستثنائي"),
            ("fouilles", "fouilles archéologiques", "الحفريات الأثرية"), ("exploitation-source", "exploitation d'une source", "استغلال عين")),
           ("commune", "habitat", "prefecture", "equipement", "eaux-forets", "culture", "sante", "education", "environnement"),
           (("Plan de situation", "تصميم الموقع"), ("Titre foncier ou certificat de propriété", "الرسم العقاري أو شهادة الملكية"),
            ("Étude d'impact", "دراسة التأثير"), ("Assurance responsabilité civile", "تأمين المسؤولية المدنية")),
           (0, 100, 500, 1500), ("demande", "renouvellement", "modification")),
    Family("inscription", "Inscription {obj}", "التسجيل {obj}", "education", ("ntsejjel", "نتسجل"),
           (("universite", "à l'université", "بالجامعة"), ("formation-pro", "en formation professionnelle", "في التكوين المهني"),
            ("bac-libre", "au baccalauréat candidat libre", "في البكالوريا مترشح حر"), ("concours", "à un concours de la fonction publique", "في مباراة الوظيفة العمومية"),
            ("registre-agricole", "au registre agricole", "في السجل الفلاحي"), ("registre-artisans", "au registre des artisans", "في سجل الصناع التقليديين"),
            ("federation", "à une fédération sportive", "في جامعة رياضية"), ("anapec", "comme demandeur d'emploi", "كباحث عن شغل"),
            ("liste-pelerinage", "au tirage du pèlerinage", "في قرعة الحج"), ("service-militaire", "au service militaire", "في الخدمة العسكرية"),
            ("cantine", "à la cantine scolaire", "في المطعم المدرسي"), ("internat", "à l'internat", "في الداخلية"),
            ("creche", "en crèche publique", "في الحضانة العمومية"), ("alphabetisation", "aux cours d'alphabétisation", "في دروس محو الأمية")),
           ("education", "enseignement-sup", "agriculture", "jeunesse", "emploi", "habous", "defense", "entraide", "commune"),
           (("Relevé de notes", "بيان النقط"), ("Diplôme ou attestation de niveau", "الشهادة أو شهادة المستوى"),
            ("Certificat de scolarité", "شهادة مدرسية")),
           (0, 0, 100, 200), ("demande", "modification")),
    Family("agrement", "Agrément {obj}", "اعتماد {obj}", "business", ("l'agrément", "لاكريمون"),
           (("laboratoire", "de laboratoire d'analyses", "مختبر التحاليل"), ("organisme-formation", "d'organisme de formation", "هيئة التكوين"),
            ("etablissement-alimentaire", "d'établissement alimentaire", "مؤسسة غذائية"), ("transitaire", "de transitaire en douane", "معشر جمركي"),
            ("bureau-etudes", "de bureau d'études", "مكتب الدراسات"), ("centre-visite", "de centre de visite technique", "مركز الفحص التقني"),
            ("cooperative", "de coopérative", "تعاونية"), ("association", "d'association d'utilité publique", "جمعية ذات منفعة عامة"),
            ("entreprise-btp", "d'entreprise de travaux", "مقاولة الأشغال"), ("semences", "de producteur de semences", "منتج البذور")),
           ("onssa", "douane", "equipement", "narsa", "emploi", "agriculture", "prefecture", "sante"),
           (("Statuts de la société", "النظام الأساسي للشركة"), ("Liste du personnel qualifié", "لائحة المستخدمين المؤهلين"),
            ("Attestation de régularité fiscale", "شهادة الوضعية الجبائية")),
           (0, 1000, 3000), ("demande", "renouvellement")),
    Family("declaration", "Déclaration de {obj}", "التصريح ب{obj}", "taxes", ("ndeclari", "نديكلاري"),
           (("revenus-fonciers", "revenus fonciers", "الدخول العقارية"), ("existence", "existence d'une entreprise", "وجود مقاولة"),
            ("accident-travail", "l'accident du travail", "حادثة الشغل"), ("salaires", "salaires", "الأجور"),
            ("perte", "perte de document", "ضياع وثيقة"), ("cessation", "cessation d'activité", "توقف النشاط"),
            ("chiffre-affaires", "chiffre d'affaires", "رقم المعاملات"), ("profits-immobiliers", "profits immobiliers", "الأرباح العقارية"),
            ("association", "constitution d'association", "تأسيس جمعية"), ("manifestation", "manifestation sportive", "تظاهرة رياضية")),
           ("dgi", "cnss", "dgsn", "prefecture", "caidat", "jeunesse", "commune"),
           (("Pièces justificatives des montants", "الوثائق المثبتة للمبالغ"), ("Procès-verbal", "المحضر")),
           (0, 0, 100)),
    Family("carte", "Carte {obj}", "بطاقة {obj}", "social", ("lakart", "لاكارط"),
           (("professionnelle-journaliste", "de presse professionnelle", "الصحافة المهنية"), ("artiste", "d'artiste", "الفنان"),
            ("rameds", "d'assistance médicale", "المساعدة الطبية"), ("invalidite", "d'invalidité militaire", "العجز العسكري"),
            ("resistant", "d'ancien résistant", "المقاوم"), ("guide", "de guide de montagne", "مرشد الجبال"),
            ("pecheur", "de marin-pêcheur", "البحار الصياد"), ("agriculteur", "d'agriculteur", "الفلاح"),
            ("auto-entrepreneur", "de l'entrepreneur artisan", "الصانع المقاول"), ("sejour", "de séjour", "الإقامة"),
            ("transport-scolaire", "de transport scolaire", "النقل المدرسي"), ("etudiant", "d'étudiant", "الطالب")),
           ("culture", "sante", "defense", "tourisme", "peche", "agriculture", "dgsn", "education", "commerce"),
           (("Justificatif de la qualité du demandeur", "ما يثبت صفة الطالب"),),
           (0, 0, 50, 100), ("demande", "renouvellement", "duplicata")),
)
