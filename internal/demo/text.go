package demo

// section is one part of the demo guidelines with its clauses (en, es).
type section struct {
	title   [2]string // en, es
	clauses [][2]string
}

// guidelines is a realistic draft of the regional guidelines, in English and
// Spanish, drawn from the outcomes of the national workshops.
var guidelines = []section{
	{[2]string{"I. Prevention", "I. Prevención"}, [][2]string{
		{"States shall include information on the risks of trafficking in persons in the consular services offered to nationals abroad and to persons applying for visas.",
			"Los Estados incluirán información sobre los riesgos de la trata de personas en los servicios consulares ofrecidos a sus nacionales en el exterior y a las personas que solicitan visas."},
		{"Consular offices shall disseminate, in the languages of the communities they serve, the hotlines and referral channels of the country of destination and of the country of origin.",
			"Las oficinas consulares difundirán, en los idiomas de las comunidades que atienden, las líneas de ayuda y los canales de referencia del país de destino y del país de origen."},
		{"Ministries of Foreign Affairs shall train consular officials on the indicators of trafficking in persons before they take up their posts and periodically thereafter.",
			"Los Ministerios de Relaciones Exteriores capacitarán a los funcionarios consulares sobre los indicadores de la trata de personas antes de asumir sus funciones y periódicamente después."},
		{"States shall cooperate with employers' organisations and recruitment agencies to prevent fraudulent recruitment of migrant workers.",
			"Los Estados cooperarán con las organizaciones de empleadores y las agencias de reclutamiento para prevenir el reclutamiento fraudulento de personas trabajadoras migrantes."},
		{"Prevention campaigns shall take into account the specific risks faced by women, children and adolescents, indigenous peoples and persons with disabilities.",
			"Las campañas de prevención tendrán en cuenta los riesgos específicos que enfrentan las mujeres, niñas, niños y adolescentes, los pueblos indígenas y las personas con discapacidad."},
	}},
	{[2]string{"II. Identification", "II. Identificación"}, [][2]string{
		{"Consular officials who have reasonable grounds to believe that a national is a victim of trafficking shall treat the person as a presumed victim until the competent authorities decide otherwise.",
			"Los funcionarios consulares que tengan motivos razonables para creer que una persona nacional es víctima de trata la tratarán como presunta víctima hasta que las autoridades competentes decidan lo contrario."},
		{"Interviews shall be conducted in private, in a language the person understands, and, where possible, by an official of the gender the person prefers.",
			"Las entrevistas se realizarán en privado, en un idioma que la persona comprenda y, cuando sea posible, por una persona funcionaria del género que la persona prefiera."},
		{"The lack of identity documents shall not prevent the identification of a person as a victim of trafficking.",
			"La falta de documentos de identidad no impedirá la identificación de una persona como víctima de trata."},
		{"When the presumed victim is a child, the best interests of the child shall be a primary consideration and child protection authorities shall be notified immediately.",
			"Cuando la presunta víctima sea una niña, niño o adolescente, el interés superior de la niñez será una consideración primordial y se notificará de inmediato a las autoridades de protección de la niñez."},
		{"Consular offices shall record cases using the regional referral form, protecting personal data in accordance with national law.",
			"Las oficinas consulares registrarán los casos utilizando el formulario regional de referencia, protegiendo los datos personales de conformidad con la legislación nacional."},
	}},
	{[2]string{"III. Protection and consular assistance", "III. Protección y asistencia consular"}, [][2]string{
		{"Consular assistance to victims of trafficking shall be free of charge.",
			"La asistencia consular a las víctimas de trata será gratuita."},
		{"Consular officials shall inform victims, without delay, of their rights, including the right to legal assistance, to medical and psychological care and to a period of recovery and reflection.",
			"Los funcionarios consulares informarán a las víctimas, sin demora, sobre sus derechos, incluido el derecho a la asistencia jurídica, a la atención médica y psicológica y a un período de recuperación y reflexión."},
		{"Consular offices shall issue travel or identity documents to victims within the shortest possible time.",
			"Las oficinas consulares expedirán documentos de viaje o de identidad a las víctimas en el menor tiempo posible."},
		{"States shall ensure that victims are not detained, charged or prosecuted for their irregular entry or residence or for unlawful acts they were compelled to commit as a direct consequence of being trafficked.",
			"Los Estados velarán por que las víctimas no sean detenidas, acusadas ni procesadas por su entrada o residencia irregular ni por los actos ilícitos que se hayan visto obligadas a cometer como consecuencia directa de la trata."},
		{"Consular officials shall coordinate with the authorities of the country of destination to ensure safe shelter for victims.",
			"Los funcionarios consulares coordinarán con las autoridades del país de destino para garantizar un alojamiento seguro a las víctimas."},
	}},
	{[2]string{"IV. Return and reintegration", "IV. Retorno y reintegración"}, [][2]string{
		{"The return of a victim shall be voluntary, safe and dignified, and preceded by a risk assessment.",
			"El retorno de una víctima será voluntario, seguro y digno, y estará precedido de una evaluación de riesgos."},
		{"The consular office shall inform the competent authorities of the country of origin of the return in advance, so that reception and protection measures are in place on arrival.",
			"La oficina consular informará con antelación a las autoridades competentes del país de origen sobre el retorno, para que las medidas de recepción y protección estén en marcha a la llegada."},
		{"States shall cover the cost of the return of victims who lack the means to do so, with the support of international organisations where appropriate.",
			"Los Estados cubrirán el costo del retorno de las víctimas que carezcan de medios para hacerlo, con el apoyo de organismos internacionales cuando corresponda."},
		{"Reintegration plans shall include access to education, vocational training, employment and psychosocial support.",
			"Los planes de reintegración incluirán el acceso a la educación, la formación profesional, el empleo y el apoyo psicosocial."},
		{"Children shall be returned only when it is in their best interests and after their family or guardians have been located.",
			"Las niñas, niños y adolescentes solo serán retornados cuando ello responda a su interés superior y después de haber localizado a su familia o a sus tutores."},
	}},
	{[2]string{"V. Coordination and implementation", "V. Coordinación e implementación"}, [][2]string{
		{"Each State shall designate a focal point in its Ministry of Foreign Affairs for the consular protection of victims of trafficking.",
			"Cada Estado designará un punto focal en su Ministerio de Relaciones Exteriores para la protección consular de las víctimas de trata."},
		{"Focal points shall share information on cases through secure channels within forty-eight hours of identification.",
			"Los puntos focales compartirán información sobre los casos a través de canales seguros dentro de las cuarenta y ocho horas siguientes a la identificación."},
		{"The Regional Conference on Migration shall review the implementation of these guidelines every two years, with the technical support of IOM.",
			"La Conferencia Regional sobre Migración revisará la aplicación de estos lineamientos cada dos años, con el apoyo técnico de la OIM."},
		{"States shall adopt a general implementation plan within one year of the adoption of these guidelines.",
			"Los Estados adoptarán un plan general de implementación dentro del año siguiente a la adopción de estos lineamientos."},
		{"Nothing in these guidelines shall be interpreted as affecting the rights, obligations and responsibilities of States under international law.",
			"Nada de lo dispuesto en estos lineamientos se interpretará en perjuicio de los derechos, obligaciones y responsabilidades de los Estados en virtud del derecho internacional."},
	}},
}
