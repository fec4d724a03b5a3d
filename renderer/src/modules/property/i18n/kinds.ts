// The kinds of real estate in words: the property module's screens and certificates, and the
// verification page's result, say them alike.
export const propertyKinds = {
  en: {
    land: 'Land plot',
    building: 'Building',
    apartment: 'Apartment',
    premises: 'Premises',
    parking: 'Parking space',
    other: 'Other',
  },
  ru: {
    land: 'Земельный участок',
    building: 'Здание',
    apartment: 'Квартира',
    premises: 'Помещение',
    parking: 'Машино-место',
    other: 'Иное',
  },
  be: {
    land: 'Зямельны ўчастак',
    building: 'Будынак',
    apartment: 'Кватэра',
    premises: 'Памяшканне',
    parking: 'Машына-месца',
    other: 'Іншае',
  },
};
