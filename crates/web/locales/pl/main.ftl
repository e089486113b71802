app-name = allegro-bridge
nav-accounts = Konta Allegro
nav-connections = Połączenia
nav-logout = Wyloguj
nav-menu = Menu
lang-switch = English
lang-code = pl

login-title = Zaloguj się
login-email = E-mail
login-password = Hasło
login-submit = Zaloguj się
login-failed = Nieprawidłowy e-mail lub hasło.
login-throttled = Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za { $wait }.

setup-title = Pierwsze uruchomienie
setup-intro = Utwórz organizację i pierwszego użytkownika. Później zalogujesz się tym e-mailem i hasłem.
setup-organisation = Nazwa firmy
setup-email = E-mail
setup-password = Hasło (co najmniej 10 znaków)
setup-submit = Utwórz

accounts-title = Konta Allegro
accounts-intro = Kliknij „Połącz konto Allegro”, aby powiązać swoje konto Allegro. Zostaniesz przeniesiony na stronę logowania Allegro, a po zalogowaniu wrócisz tutaj.
accounts-none = Nie masz jeszcze połączonych kont.
col-lp = Lp.
col-login = Login
col-status = Status
col-last-sync = Ostatnia synchronizacja
col-actions = Akcje
status-active = Aktywne
status-needs_relogin = Wymaga ponownego logowania
status-disconnected = Odłączone
never = nigdy
banner-relogin = Jedno z Twoich kont wymaga ponownego logowania. Kliknij przycisk z kluczykiem przy koncie, aby zalogować je ponownie.
banner-relogin-go = Przejdź do kont Allegro
relogin-causes = Allegro unieważnia powiązanie po zmianie hasła lub adresu e-mail, po „wylogowaniu ze wszystkich urządzeń”, po blokadzie sprzedaży oraz po 3 miesiącach bez aktywności.
relink = Zaloguj ponownie
settings = Ustawienia
disconnect = Odłącz
connect-allegro = Połącz konto Allegro
connect-via = Połącz przez: { $connection }
account-via = przez: { $connection }
at-risk = Powiązanie wygasa wkrótce — odśwież je, zanim minie 3 miesiące.
reason-revoked = Allegro cofnęło dostęp (zmiana hasła, wylogowanie ze wszystkich urządzeń lub blokada sprzedaży).
reason-refresh_invalid = Token odświeżania wygasł lub został unieważniony.
missing-scopes = Brakuje uprawnień: { $scopes }

connections-title = Połączenia
connections-none = Nie masz jeszcze połączenia. Dodaj własną aplikację albo skorzystaj z aplikacji operatora.
connection-new = Dodaj połączenie
connection-mode = Rodzaj
mode-own_app = Własna aplikacja
mode-service_app = Aplikacja operatora
connection-environment = Środowisko
env-production = Allegro (produkcja)
env-sandbox = Allegro Sandbox
env-custom = Własne adresy (np. emulator)
auth-url = Adres logowania (auth)
api-url = Adres API
connection-create = Utwórz
connection-title = Połączenie
credentials-missing = Brak Client ID i Client Secret — wykonaj kroki poniżej.
credentials-ok = Dane aplikacji zapisane. Możesz połączyć konto.

guide-title = Jak zarejestrować aplikację w Allegro
guide-step-1 = Sprawdź, czy w Twoim koncie Allegro jest włączone dwustopniowe logowanie — bez niego Allegro nie pozwoli zarejestrować aplikacji.
guide-step-2 = Otwórz portal deweloperski Allegro i kliknij „Zarejestruj aplikację”:
guide-step-3 = Wpisz nazwę aplikacji, np. „{ $name }”, i wybierz rodzaj „Aplikacja ma dostęp do przeglądarki, w której użytkownik loguje się do Allegro” (authorization_code).
guide-step-4 = W polu „Adresy URI do przekierowania” wklej adres poniżej.
guide-step-5 = W sekcji „Uprawnienia aplikacji” zaznacz uprawnienia z listy poniżej, zaakceptuj regulamin REST API Allegro i kliknij „Zarejestruj”.
guide-step-6 = Otwórz „Szczegóły” aplikacji, skopiuj CLIENT ID, kliknij „POKAŻ” przy CLIENT SECRET i wklej oba w pola poniżej. Kliknij „Zapisz”.
redirect-uri = Adres URI do przekierowania
copy = Kopiuj
scopes-to-tick = Uprawnienia do zaznaczenia
client-id = Client ID
client-secret = Client Secret
show = Pokaż
save = Zapisz
saved = Zapisano.

link-title = Powiązanie konta
link-ok = Konto { $login } zostało powiązane.
link-updated = Konto { $login } zostało ponownie zalogowane.
link-moved = Konto { $login } było dotąd połączone przez „{ $from }”. Od teraz działa przez to połączenie — jedno konto Allegro to jedno konto tutaj, więc nie powstała jego kopia: historia, zamówienia, faktury, przesyłki i ustawienia zostały przy nim.
link-missing = Nie zaznaczono wszystkich potrzebnych uprawnień. Brakuje: { $scopes }. Dodaj je w portalu deweloperskim Allegro (Szczegóły aplikacji → Uprawnienia) i połącz konto ponownie.
link-cancelled = Anulowano powiązanie konta („Nie, anuluj”). Nic nie zostało zmienione.
link-state-Unknown = Link powiązania jest nieprawidłowy. Zacznij od przycisku „Połącz konto Allegro”.
link-state-Used = Ten link powiązania został już użyty. Zacznij od przycisku „Połącz konto Allegro”.
link-state-Expired = Link powiązania wygasł. Zacznij od przycisku „Połącz konto Allegro”.
link-state-Mismatch = Link powiązania pochodzi z innej sesji przeglądarki. Zacznij od przycisku „Połącz konto Allegro”.
link-code-expired = Kod z Allegro wygasł lub został już użyty. Spróbuj połączyć konto jeszcze raz.
link-wrong-user = Zalogowano się w Allegro jako { $got }, a to konto należy do { $expected }. Nic nie zostało zmienione. Na stronie Allegro kliknij „Zmień konto” i zaloguj się jako { $expected }.
link-failed = Allegro nie pozwoliło powiązać konta: { $message }
link-failed-bad_client = Allegro nie przyjęło Client ID lub Client Secret tego połączenia. Sprawdź je w szczegółach aplikacji.
link-failed-no_refresh_token = Allegro nie zwróciło tokenu odświeżania.
link-failed-user_mismatch = token należy do innego użytkownika niż ten, którego zwraca /me.
back-to-accounts = Wróć do kont

disconnect-title = Odłączyć konto { $login }?
disconnect-warning = Uwaga! Jeśli odłączysz konto w Allegro, to nie będziemy mogli zaktualizować listów przewozowych zaimportowanych zamówień ani wysyłać faktur. Historia zamówień zostanie zachowana.
disconnect-confirm = Tak, odłącz
cancel = Anuluj

settings-title = Ustawienia konta { $login }
settings-enabled = Włącz
settings-vat-goods = Domyślna stawka VAT dla produktów
settings-vat-delivery = Domyślna stawka VAT dla dostawy
settings-trigger = Status zamówienia, po którym wystawiamy fakturę
settings-series = Seria numeracji faktur
settings-series-hint = Np. FV/{"{"}n{"}"}/{"{"}MM{"}"}/{"{"}YYYY{"}"} — {"{"}n{"}"} to kolejny numer.
trigger-READY_FOR_PROCESSING = Opłacone
trigger-PROCESSING = W realizacji
trigger-READY_FOR_SHIPMENT = Gotowe do wysyłki
trigger-SENT = Wysłane
trigger-PICKED_UP = Odebrane

error-title = Błąd
error-not-found = Nie znaleziono strony.
error-generic = Coś poszło nie tak. Spróbuj ponownie za chwilę.
error-conflict = Ta zmiana koliduje z istniejącymi danymi (np. taki e-mail już istnieje).
error-csrf = Formularz wygasł. Odśwież stronę i spróbuj ponownie.
error-field = { $field }: { $message }

nav-orders = Zamówienia
orders-title = Zamówienia
orders-any = dowolny
orders-buyer = Kupujący
orders-from = Data zakupu od
orders-to = do
orders-filter = Pokaż
orders-bought = Data zakupu
orders-fulfillment = Realizacja
orders-total = Kwota
orders-count = { $count ->
    [one] { $count } zamówienie
    [few] { $count } zamówienia
   *[many] { $count } zamówień
}
orders-prev = Poprzednie
orders-next = Następne
order-title = Zamówienie
order-delivery = Dostawa
order-lines = Pozycje
order-offer = Oferta
order-quantity = Ilość
order-price = Cena
order-status-BOUGHT = Kupione
order-status-FILLED_IN = Czeka na płatność
order-status-READY_FOR_PROCESSING = Opłacone
order-status-CANCELLED = Anulowane
fulfillment-NEW = Nowe
fulfillment-PROCESSING = W realizacji
fulfillment-READY_FOR_SHIPMENT = Gotowe do wysyłki
fulfillment-READY_FOR_PICKUP = Gotowe do odbioru
fulfillment-SENT = Wysłane
fulfillment-PICKED_UP = Odebrane
fulfillment-CANCELLED = Anulowane
fulfillment-SUSPENDED = Wstrzymane
fulfillment-RETURNED = Zwrócone

nav-imports = Import
imports-link = Import zamówień z Allegro lub z pliku
imports-title = Import
import-title = Import
import-allegro-title = Import Allegro
import-login = Login allegro
import-choose = wybierz konto
import-from = Data zakupu od
import-to = do
import-start = Importuj
import-retention-hint = Allegro przechowuje zamówienia przez 12 miesięcy. Duże zakresy są dzielone i importowane w tle; przerwany import wznawia się sam.
import-no-accounts = Najpierw połącz konto Allegro.
import-choose-account = Wybierz konto Allegro.
import-choose-file = Wybierz plik CSV lub XML.
import-file-title = Import CSV / XML
import-file = Plik (.csv lub .xml)
import-encoding = Kodowanie
encoding-auto = rozpoznaj (UTF-8 lub Windows-1250)
import-file-start = Wczytaj plik
import-file-refused = Plik { $file } nie został zaimportowany — problemy: { $count }. Nic nie zapisano; popraw plik i wczytaj go ponownie.
import-more-problems = … i { $count } więcej
import-layout = Układ pliku
import-layout-intro = Pierwszy wiersz CSV zawiera nazwy kolumn (angielskie lub polskie, w dowolnej kolejności), oddzielone średnikiem lub przecinkiem. Jeden wiersz to jedna pozycja; wiersze z tym samym id zamówienia tworzą jedno zamówienie. Kwoty z przecinkiem (49,99), daty jak 2026-11-05 14:30 (czas polski).
import-col-polish = Nazwa polska
import-col-required = Wymagana
import-col-meaning = Znaczenie
import-col-when = Utworzony
import-col-kind = Rodzaj
import-col-scope = Zakres / plik
imports-recent = Ostatnie importy
imports-none = Jeszcze nic nie importowano.
import-kind-allegro = Import Allegro
import-kind-csv = Import CSV
import-kind-xml = Import XML
import-state-queued = w kolejce
import-state-running = w toku
import-state-done = zakończony
import-state-failed = przerwany
import-progress = Odczytane zamówienia
import-new = Nowe
import-updated = Zaktualizowane
import-unchanged = Bez zmian
import-see-orders = Zobacz zamówienia tego konta
yes = tak
orders-marketplace = Serwis
orders-invoice = Faktura
orders-invoice-yes = chce fakturę
orders-invoice-no = bez faktury
orders-sort = Sortuj
orders-sort-bought_desc = najnowsze
orders-sort-bought_asc = najstarsze
orders-sort-total_desc = kwota malejąco
orders-sort-total_asc = kwota rosnąco
orders-sort-buyer_asc = kupujący A–Z
orders-from-file = z pliku
order-payment = Płatność
order-history = Historia statusów
order-seen-at = Zauważone
order-from-file = Zamówienie zaimportowane z pliku; gdy pojawi się w Allegro, dane z Allegro je zastąpią.
nav-invoices = Faktury
profile-title = Dane do faktur
profile-intro = Te dane trafiają na każdą fakturę jako dane sprzedawcy. NIP jest sprawdzany (cyfra kontrolna).
profile-name = Nazwa firmy
profile-street = Ulica i numer
profile-city = Kod pocztowy i miejscowość
profile-bank = Numer rachunku (NRB)
profile-place = Miejsce wystawienia
profile-days = Termin płatności (dni) dla zamówień nieopłaconych
profile-exemption = Podstawa zwolnienia z VAT (dla stawki zw)
invoices-title = Faktury
invoices-search = Numer faktury
invoices-count = { $count ->
    [one] { $count } faktura
    [few] { $count } faktury
   *[many] { $count } faktur
}
invoice-title = Faktura
invoice-number = Numer
invoice-issued = Data wystawienia
invoice-sold = Data sprzedaży
invoice-seller = Sprzedawca
invoice-buyer = Nabywca
invoice-order = zamówienie
invoice-xml = Pobierz XML (KSeF FA(3))
invoice-unit-gross = Cena brutto
invoice-gross = Brutto
invoice-net = Netto
invoice-vat = VAT
invoice-per-rate = Podsumowanie według stawek
invoice-total = Razem do zapłaty
invoice-in-words = Słownie
invoice-paid = Zapłacono: { $how }
invoice-on-delivery = { $how }: płatne przy odbiorze przesyłki
invoice-transfer = Przelew do { $due } na rachunek { $account }
order-issue-invoice = Wystaw fakturę
settings-every-order = Wystawiaj fakturę do każdego zamówienia (nie tylko gdy kupujący o nią prosi)
settings-follows-goods = Dostawa w stawce towarów (przy różnych stawkach dzielona proporcjonalnie)
order-invoice-failed = Faktura nie została wystawiona automatycznie (prób: { $attempts }): { $error }. Kolejna próba nastąpi sama; możesz też wystawić ją ręcznie po usunięciu przyczyny.
invoices-buyer = Nabywca
invoices-kind = Rodzaj
invoices-from = Wystawione od
invoices-to = Wystawione do
invoices-allegro = Na Allegro
invoices-any = wszystkie
invoice-kind-vat = Faktura VAT
invoice-kind-correction = Korekta
upload-pending = czeka na wysłanie
upload-uploaded = wysłana
upload-refused = odrzucona
upload-not_applicable = nie dotyczy
invoice-pdf = Pobierz PDF
invoice-pdf-en = po angielsku
invoice-allegro = Na Allegro
invoice-upload-pending = Czeka na wysłanie do zamówienia na Allegro.
invoice-upload-retry = Próba { $attempts } nie powiodła się: { $error }. Ponowimy ją { $next }.
invoice-upload-uploaded = Dołączona do zamówienia na Allegro { $at }.
invoice-upload-refused = Allegro nie przyjęło faktury: { $error }
invoice-upload-not_applicable = Zamówienie z pliku — ta faktura nie trafia na Allegro.
invoice-resend = Wyślij ponownie
invoice-resent = Faktura zostanie wysłana do Allegro w ciągu kilku sekund.
order-issue-correction = Wystaw korektę

waybills-title = Przesyłki
waybills-none = Zamówienie nie ma jeszcze numeru przesyłki.
waybill-add = Dodaj numer przesyłki
waybill-carrier = Przewoźnik
waybill-carrier-name = Nazwa przewoźnika (tylko „Inny przewoźnik”)
waybill-number = Numer przesyłki
waybill-items = Pozycje
waybill-items-legend = Pozycje w tej paczce (nic nie zaznaczone: całe zamówienie)
waybill-all-items = całe zamówienie
waybill-other-carrier = Inny przewoźnik
waybill-resend = Wyślij ponownie
waybill-pending = Czeka na wysłanie do zamówienia na Allegro.
waybill-pushed = Na zamówieniu w Allegro od { $at }.
waybill-retry = Nie udało się wysłać: { $error }. Ponowimy { $next }.
waybill-refused = Allegro nie przyjęło numeru: { $error }
waybill-not-applicable = Zamówienie z pliku — numer nie trafia na Allegro.
waybill-invalid = { $field }: { $error }
waybill-field-waybill = Numer przesyłki
waybill-field-carrier_id = Przewoźnik
waybill-field-carrier_name = Nazwa przewoźnika
waybill-field-line_items = Pozycje
waybill-error-waybill_invalid = numer przesyłki jest nieprawidłowy
waybill-error-waybill_invalid_for_carrier = numer nie pasuje do wybranego przewoźnika; sprawdź numer albo wybierz „Inny przewoźnik” i wpisz jego nazwę
waybill-error-carrier_unknown = Allegro nie zna tego przewoźnika
waybill-error-carrier_name_invalid = podaj nazwę przewoźnika (do 30 znaków)
waybill-error-waybill_used_too_often = ten numer jest już na zbyt wielu zamówieniach
waybill-error-line_item_not_in_order = wybrana pozycja nie należy do tego zamówienia
waybill-error-order_not_on_allegro = Allegro nie ma już tego zamówienia
waybill-error-account_not_connected = konto Allegro jest odłączone albo wymaga ponownego logowania — numer czeka i zostanie wysłany po ponownym połączeniu konta
waybill-error-rate_limited = Allegro chwilowo ogranicza liczbę zapytań
waybill-error-allegro_unavailable = Allegro chwilowo nie odpowiada
order-set-fulfillment = Zmień status na Allegro
waybills-file-title = Numery przesyłek z pliku CSV
waybills-file-hint = Jeden numer w wierszu: numer zamówienia;przewoźnik;numer przesyłki (np. INPOST, DPD, DHL, POCZTA_POLSKA; dla OTHER czwarta kolumna: nazwa przewoźnika). Plik z jakimkolwiek błędem nie dodaje niczego; ponowne wczytanie tego samego pliku niczego nie dubluje.
waybills-file-start = Wczytaj numery przesyłek
waybills-file-done = Dodane numery przesyłek: { $added } (trafią na Allegro w ciągu kilku sekund); już były na zamówieniach: { $already }.
nav-warehouse = Magazyn
warehouse-title = Magazyn
warehouse-products = Produkty i stany
warehouse-sync = Pobierz produkty z Allegro
warehouse-sync-hint = Produkt to jeden SKU (sygnatura oferty, external.id); oferty bez sygnatury nie mają produktu i nie zdejmują stanów.
warehouse-synced = Pobrano oferty z Allegro; nowe produkty: { $count }.
warehouse-saved = Zapisano.
warehouse-received = Stan zmieniony.
warehouse-no-products = Brak produktów: pobierz je z ofert na Allegro.
warehouse-name = Nazwa
warehouse-stock = Stan
warehouse-product = Produkt
warehouse-quantity = Ilość (ujemna zdejmuje ze stanu)
warehouse-quantity-whole = podaj liczbę całkowitą
warehouse-note = Uwagi
warehouse-receive = Przyjmij
warehouse-wz = Dokumenty WZ
warehouse-wz-trigger = Wystawiaj WZ, gdy zamówienie osiągnie status
warehouse-wz-by-hand = tylko ręcznie
warehouse-no-documents = Brak dokumentów WZ.
warehouse-number = Numer
warehouse-issued = Wystawiono
warehouse-pieces = Sztuk
warehouse-movements = Ruchy magazynowe
warehouse-no-movements = Brak ruchów.
warehouse-when = Kiedy
warehouse-change = Zmiana
warehouse-reason = Powód
wz-state-issued = wydano
wz-state-cancelled = anulowano (towar wrócił na stan)
movement-receipt = przyjęcie
movement-adjustment = korekta
movement-wz = wydanie (WZ)
movement-wz_cancelled = zwrot na stan (anulowane WZ)
order-wz = Dokument WZ
order-issue-wz = Wystaw WZ
warehouse-warehouse = Magazyn
warehouse-issuing = Wydawaj towar z magazynu
warehouse-new = Nazwa nowego magazynu
warehouse-add = Dodaj magazyn
settings-sent-on-waybill = Po dodaniu numeru przesyłki ustaw na Allegro status „Wysłane”
order-wz-failed = Automatyczne WZ nie powiodło się ({ $attempts }×): { $error }
upload-too-large = Plik jest za duży: ten serwer przyjmuje pliki do { $limit } MB. Podziel plik na mniejsze części.
nav-api-keys = Klucze API
api-keys-title = Klucze API
api-keys-intro = Klucz API pozwala programom (np. systemowi magazynowemu) korzystać z /api/v1 w imieniu Twojej firmy. Unieważnij klucz, którego już nie używasz lub który mógł wyciec — działa to od razu.
api-keys-created = Oto nowy klucz. Skopiuj go teraz: nie pokażemy go ponownie.
api-keys-none = Nie ma jeszcze żadnego klucza API.
api-keys-name = Nazwa
api-keys-prefix = Początek klucza
api-keys-created-at = Utworzony
api-keys-last-used = Ostatnio użyty
api-keys-never = nigdy
api-keys-revoke = Unieważnij
api-keys-new = Nowy klucz
api-keys-create = Utwórz klucz
input-control-character = Pole { $field } zawiera niedozwolony znak sterujący (np. NUL). Usuń go i wyślij ponownie.
waybill-error-interrupted = wysyłkę przerwało zatrzymanie serwera; zostanie ponowiona

## Refusals from the use cases (app::Problem): the key and its arguments.
problem-warehouse-name-length = Nazwa magazynu ma od 1 do 60 znaków.
problem-warehouse-name-taken = Magazyn o nazwie „{ $name }” już istnieje.
problem-warehouse-unknown = Twoja firma nie ma magazynu { $id }.
problem-stock-quantity = Podaj ilość od -1 000 000 do 1 000 000, różną od 0.
problem-stock-note-length = Notatka ma najwyżej 200 znaków.
problem-wz-not-a-product = „{ $name }” (oferta { $offer }, SKU { $sku }) nie jest jeszcze produktem w magazynie: wczytaj produkty z Allegro albo nadaj ofercie SKU.
problem-not-one-of = „{ $value }” nie jest jedną z wartości: { $allowed }.
problem-invoice-invalid = Faktura nie spełnia schematu FA(3): { $detail }
problem-not-an-amount = „{ $value }” nie jest kwotą.
problem-profile-name-required = Podaj nazwę sprzedawcy.
problem-profile-nip-required = Faktura VAT wymaga NIP sprzedawcy.
problem-profile-address-required = Podaj ulicę oraz kod pocztowy z miejscowością.
problem-country-code = Podaj dwuliterowy kod kraju, np. PL.
problem-bank-account = Numer rachunku (NRB) ma 26 cyfr.
problem-payment-days = Termin płatności to najwyżej 365 dni.
problem-profile-missing = Najpierw uzupełnij dane do faktur (sprzedawca, NIP, adres).
problem-order-total-mismatch = Pozycje i dostawa dają razem { $lines } zł, a kupujący zapłacił { $paid } zł; faktura nie zgadzałaby się z zapłatą.
problem-correction-not-cancelled = Tak koryguje się tylko fakturę anulowanego lub zwróconego zamówienia.
problem-correction-no-invoice = Zamówienie nie ma faktury do skorygowania.
problem-not-a-date = „{ $value }” nie jest datą RRRR-MM-DD.
problem-nbp-rate-missing = Brak kursu NBP { $currency } z { $day } — ostatniego dnia roboczego przed obowiązkiem podatkowym (art. 31a ustawy o VAT); kursu z innego dnia użyć nie wolno. Wczytaj tabelę NBP w Faktury → Kursy NBP albo pozwól serwerowi łączyć się z api.nbp.pl; faktura zostanie wystawiona, gdy kurs będzie.
problem-rates-format = { $file }, wiersz { $line }: oczekiwano „waluta;RRRR-MM-DD;kurs;tabela”, jest „{ $value }”.
problem-rates-currency = { $file }, wiersz { $line }: „{ $value }” nie jest kodem waluty.
problem-rates-date = { $file }, wiersz { $line }: „{ $value }” nie jest datą RRRR-MM-DD.
problem-rates-rate = { $file }, wiersz { $line }: „{ $value }” nie jest kursem.
problem-rates-table = { $file }, wiersz { $line }: brak numeru tabeli NBP (np. 231/A/NBP/2026) w „{ $value }”.
problem-rates-empty = { $file }: plik nie zawiera żadnego kursu (oczekiwano wierszy „waluta;RRRR-MM-DD;kurs;tabela”).
problem-page-limit = limit musi wynosić 1–200, a offset co najmniej 0.
problem-range-reversed = Data końcowa jest wcześniejsza niż początkowa.
problem-range-future = Data początkowa jest w przyszłości.
problem-range-too-old = Allegro przechowuje zamówienia przez 12 miesięcy: najwcześniejsza data zakupu do importu to { $earliest }.
problem-import-needs-relogin = Konto { $login } wymaga ponownego połączenia, zanim zaimportujesz jego zamówienia.
problem-password-length = Hasło musi mieć od 10 do 256 znaków.
problem-password-common = To hasło jest zbyt popularne lub łatwe do odgadnięcia; wybierz inne, np. kilka niepowiązanych słów.
problem-email = Podaj adres e-mail, np. anna@sklep.pl.
problem-organisation-name = Podaj nazwę firmy (do 120 znaków).
problem-email-taken = Użytkownik z tym adresem e-mail już istnieje.
problem-api-key-name = Nazwij klucz (do 80 znaków).
problem-carrier-unknown = Allegro nie zna przewoźnika „{ $carrier }”.
problem-line-item-not-in-order = Pozycji { $line_item } nie ma w zamówieniu { $order }.
problem-order-from-file = To zamówienie pochodzi z pliku, nie z Allegro.
problem-account-not-connected = Konto Allegro { $login } nie jest połączone: połącz je ponownie, aby zmienić status.
problem-status-refused = Allegro nie zmieniło statusu: { $detail }
problem-waybill-already-on-allegro = Ten numer przesyłki jest już w Allegro.
problem-waybill-being-sent = Numer przesyłki jest właśnie wysyłany do Allegro.
problem-invoice-already-on-allegro = Ta faktura jest już w Allegro.
problem-service-app-missing = Na tym serwerze nie skonfigurowano aplikacji operatora.
problem-custom-urls-off = Własne adresy Allegro są wyłączone na tym serwerze; wybierz produkcję lub sandbox.
problem-custom-urls-missing = Własne środowisko wymaga adresów auth_url i api_url.
problem-client-id = Wklej Client ID ze szczegółów aplikacji w portalu Allegro (litery i cyfry).
problem-client-secret = Wklej Client Secret widoczny po kliknięciu POKAŻ w portalu Allegro.
problem-service-app-credentials = Dane aplikacji operatora ustawia operator serwera.
problem-client-id-taken = Ten Client ID należy do aplikacji innej firmy na tym serwerze; zarejestruj własną aplikację w portalu Allegro.
problem-client-credentials-missing = Najpierw wklej Client ID i Client Secret.
problem-device-flow-refused = Allegro odmówiło logowania kodem: zarejestruj aplikację jako „bez przeglądarki” (device_code) i sprawdź jej Client ID oraz Secret.
problem-account-not-linked = To konto nie jest połączone.
problem-host-unknown = Nie można odnaleźć hosta { $host }.
problem-host-internal-address = { $host } wskazuje na adres wewnętrzny ({ $ip }); dozwolone są tylko adresy publiczne.
problem-not-a-url = To nie jest adres URL.
problem-url-scheme = Podaj adres http(s), np. https://allegro.pl.
problem-url-credentials = Adres nie może zawierać loginu ani hasła.
problem-host-internal = { $host } to adres wewnętrzny; dozwolone są tylko adresy publiczne.
problem-conflict = Zmiana koliduje z zapisanymi danymi.
problem-import-stopped = Import zatrzymany po { $attempts } próbach; szczegóły są w dzienniku serwera. Możesz uruchomić go ponownie.
problem-not-found = Nie znaleziono.
problem-internal = Wystąpił błąd serwera (szczegóły są w dzienniku); spróbujemy ponownie.
problem-account-id = „{ $value }” nie jest identyfikatorem konta.
problem-invalid-value = „{ $value }” nie jest poprawne; oczekiwano: { $expected }.
problem-nip-length = NIP ma 10 cyfr (podano „{ $value }”).
problem-nip-checksum = „{ $value }” nie jest poprawnym NIP-em: cyfra kontrolna się nie zgadza (literówka?).
problem-encoding = „{ $value }” nie jest kodowaniem: wybierz auto, utf-8 albo windows-1250.
problem-waybill-empty = Wpisz numer przesyłki.
problem-waybill-length = Numer przesyłki ma najwyżej { $max } znaki (ten ma { $length }).
problem-waybill-control = Numer przesyłki zawiera niedozwolony znak sterujący.
problem-carrier-empty = Wybierz przewoźnika.
problem-carrier-id = „{ $value }” nie jest identyfikatorem przewoźnika.
problem-carrier-name-empty = Podaj nazwę przewoźnika (wymagana dla „inny przewoźnik”).
problem-carrier-name-length = Nazwa przewoźnika ma najwyżej { $max } znaków (ta ma { $length }).
problem-line-item-id = „{ $value }” nie jest identyfikatorem pozycji zamówienia.
problem-file-amount = „{ $value }” nie jest kwotą (wpisz 49,99 lub 49.99).
problem-file-amount-negative = „{ $value }”: kwota nie może być ujemna.
problem-file-amount-decimals = „{ $value }” ma więcej niż dwa miejsca po przecinku.
problem-file-amount-large = „{ $value }” to za duża kwota.
problem-file-time = „{ $value }” nie jest datą z godziną (wpisz 2026-11-05 14:30 lub 05.11.2026 14:30).
problem-file-time-old = „{ $value }” jest sprzed roku 2000.
problem-file-yes-no = „{ $value }” to nie „tak” ani „nie”.
problem-file-control-character = zawiera znak sterujący.
problem-file-too-long = jest dłuższe niż { $max } znaków (limit pola faktury).
problem-file-required-empty = jest puste, a jest wymagane.
problem-file-required-missing = brakuje go, a jest wymagane.
problem-file-duplicate-row = powtarza dokładnie wiersz { $first } (zdublowany wiersz?).
problem-file-duplicate-order = zamówienie „{ $id }” występuje dwa razy (pierwszy raz w wierszu { $first }).
problem-file-order-differs = „{ $value }” różni się od „{ $first_value }” z wiersza { $first } tego samego zamówienia.
problem-file-order-id = „{ $value }”: identyfikator zamówienia ma najwyżej 64 znaki i nie zawiera spacji.
problem-file-email = „{ $value }” nie jest adresem e-mail.
problem-file-country = „{ $value }” nie jest dwuliterowym kodem kraju (PL, CZ, …).
problem-file-postcode = „{ $value }” nie jest polskim kodem pocztowym NN-NNN.
problem-file-address-incomplete = adres wymaga razem ulicy, kodu pocztowego i miejscowości (NIP wymaga adresu na fakturze).
problem-file-quantity = „{ $value }” nie jest liczbą sztuk od 1 do 100 000.
problem-file-total-large = suma zamówienia jest za duża.
problem-file-order-unbuilt = tego zamówienia nie udało się zbudować ({ $detail }).
problem-file-empty = plik jest pusty: pierwszy wiersz musi zawierać nazwy kolumn.
problem-file-header-unreadable = nie można odczytać wiersza nagłówka: { $detail }
problem-file-column-twice = kolumna występuje dwa razy (także jako kolumna { $first }).
problem-file-column-unknown = nieznana kolumna „{ $name }”; dostępne kolumny: { $columns }.
problem-file-column-missing = brak kolumny { $name } ({ $polish }).
problem-file-column-missing-separator = brak kolumny { $name } ({ $polish }); czy separatorem jest „{ $other }”? Nagłówek odczytano z „{ $separator }”.
problem-file-row-unreadable = nie można odczytać wiersza: { $detail }
problem-file-field-count = ma { $fields } pól, a nagłówek { $header } („{ $separator }” wewnątrz wartości musi być w cudzysłowie).
problem-file-no-orders = plik ma nagłówek, ale nie ma zamówień.
problem-xml-attribute-unknown = <{ $element }> nie ma atrybutu „{ $attribute }”; dozwolone: { $allowed }.
problem-xml-namespace = <{ $element }> jest w przestrzeni nazw „{ $namespace }”; użyj „{ $expected }” albo żadnej.
problem-xml-text = tekst wewnątrz <{ $element }> jest niedozwolony; wartości podaje się w atrybutach.
problem-xml-malformed = niepoprawny składniowo XML: { $detail }
problem-xml-root = głównym elementem jest <{ $element }>; musi nim być <orders>.
problem-xml-child = <{ $parent }> może zawierać tylko { $allowed }, nie <{ $element }>.
problem-xml-attribute-missing = <{ $element }> wymaga atrybutu { $attribute }.
problem-xml-one-buyer = <order> ma jednego <buyer>.
problem-xml-no-children = <{ $element }> nie zawiera elementów.
problem-file-not-utf8 = bajt { $byte } nie jest UTF-8; plik zapisany w Excelu jako „CSV (rozdzielany przecinkami)” jest w Windows-1250: wybierz to kodowanie.
problem-file-not-1250 = bajt { $byte } nie jest ani UTF-8, ani Windows-1250: zapisz plik jako CSV UTF-8 albo CSV (Windows-1250).
problem-file-utf16 = plik jest w UTF-16 („Tekst Unicode” z Excela): zapisz go jako CSV UTF-8 albo CSV (Windows-1250).
problem-file-nul = bajt NUL: to nie jest plik tekstowy.
problem-file-bom-1250 = plik zaczyna się znacznikiem UTF-8 (BOM), a wybrano Windows-1250: wybierz UTF-8 albo auto.
problem-waybills-field-count = { $fields } pól: wiersz to identyfikator zamówienia{ $separator }przewoźnik{ $separator }numer przesyłki (i nazwa przewoźnika dla OTHER).
problem-waybills-order-empty = identyfikator zamówienia jest pusty.
problem-waybills-empty = plik nie zawiera numerów przesyłek.
problem-waybills-order-unknown = w Twojej firmie nie ma zamówienia { $order }.
problem-file-type = nieznany rodzaj pliku: nadaj mu rozszerzenie .csv lub .xml albo wybierz format.
file-at-line = { $file }, wiersz { $line }
file-at-column = , kolumna { $column }
api-unauthorized = Wyślij nagłówek Authorization: Bearer <klucz API>.
api-not-found = Nie ma takiego zasobu w Twojej firmie.
api-not-allowed = Brak uprawnień.
api-too-large = Plik jest większy niż dozwolone { $mb } MB na tym serwerze.
api-internal = Coś poszło nie tak; błąd zapisano w dzienniku serwera.
problem-xml-needs = <{ $element }> wymaga elementu { $child }.
problem-taken = Ta wartość ({ $field }) jest już zajęta.

# The order's page: payment and delivery in words.
payment-type-ONLINE = Płatność online
payment-type-CASH_ON_DELIVERY = Za pobraniem
payment-type-WIRE_TRANSFER = Przelew tradycyjny
payment-type-SPLIT_PAYMENT = Płatność podzielona
payment-type-EXTENDED_TERM = Płatność z odroczonym terminem
payment-type-other = Inna forma płatności
payment-provider-P24 = Przelewy24
payment-provider-PAYU = PayU
payment-provider-AF = Allegro Finance
payment-provider-OFFLINE = poza Allegro
payment-provider-EPT = terminal płatniczy
payment-provider-UNKNOWN = inny operator
order-paid-amount = zapłacono { $amount }
order-delivery-cost = Koszt dostawy: { $amount }
order-cancelled-nothing-to-ship = Zamówienie anulowane: nie wydaje się towaru ani nie dodaje numerów przesyłek.
problem-order-cancelled-no-shipping = Zamówienie jest anulowane: nie wydaje się do niego towaru (WZ) ani nie dodaje numerów przesyłek.
setup-code = Kod pierwszego uruchomienia
setup-code-where = Kod wypisuje serwer (allegro-bridge serve) w swoim dzienniku przy starcie. Dzięki niemu nikt poza Tobą nie przejmie świeżej instalacji.
problem-setup-code = To nie jest kod z dziennika serwera. Przepisz kod, który wypisało polecenie allegro-bridge serve przy starcie.
problem-setup-done = Konfiguracja jest już zakończona; kolejnych użytkowników dodaje polecenie allegro-bridge users create.
# The start page.
nav-dashboard = Pulpit
dashboard-title = Pulpit
dashboard-first-steps = Pierwsze kroki
dashboard-step-profile = Uzupełnij dane do faktur
dashboard-step-account = Utwórz połączenie i powiąż konto Allegro
dashboard-step-invoicing = Włącz automatyczne faktury w ustawieniach konta
dashboard-done = zrobione
dashboard-todo = Do zrobienia
dashboard-nothing = Nic nie czeka — wszystko na bieżąco.
dashboard-relogin = Konto { $login } wymaga ponownego logowania
dashboard-invoices-failed = { $count ->
    [one] { $count } zamówienie czeka na fakturę, której nie udało się wystawić
    [few] { $count } zamówienia czekają na fakturę, której nie udało się wystawić
   *[many] { $count } zamówień czeka na fakturę, której nie udało się wystawić
}
dashboard-uploads-refused = { $count ->
    [one] { $count } fakturę Allegro odrzuciło
    [few] { $count } faktury Allegro odrzuciło
   *[many] { $count } faktur Allegro odrzuciło
}
dashboard-uploads-waiting = { $count ->
    [one] { $count } faktura czeka na wysłanie do zamówienia na Allegro
    [few] { $count } faktury czekają na wysłanie do zamówień na Allegro
   *[many] { $count } faktur czeka na wysłanie do zamówień na Allegro
}
dashboard-orders-to-ship = { $count ->
    [one] { $count } opłacone zamówienie czeka na wysyłkę
    [few] { $count } opłacone zamówienia czekają na wysyłkę
   *[many] { $count } opłaconych zamówień czeka na wysyłkę
}
vat-rate-23 = 23%
vat-rate-8 = 8%
vat-rate-5 = 5%
vat-rate-0 = 0%
vat-rate-zw = zw — zwolnione z VAT
vat-rate-np = np — nie podlega VAT
back-to-start = Wróć do pulpitu
credentials-saved = Client ID i Client Secret zapisane. Możesz połączyć konto Allegro.
copied = Skopiowano ✓
settings-no-profile = Faktury nie będą wystawiane, dopóki nie uzupełnisz danych do faktur (sprzedawca, NIP, adres):
problem-invoice-refused-forbidden = Allegro nie pozwala dołączyć faktury do tego zamówienia (HTTP { $status }: { $allegro }). Sprawdź w portalu deweloperskim, czy aplikacja ma uprawnienie do zamówień (allegro:api:orders:write), połącz konto ponownie i kliknij „Wyślij ponownie”.
problem-invoice-refused-no-order = Allegro nie ma tego zamówienia (HTTP { $status }: { $allegro }). Faktura jest wystawiona i ważna — przekaż ją kupującemu inaczej (np. e-mailem z pliku PDF).
problem-invoice-refused-too-large = Plik faktury jest dla Allegro za duży (HTTP { $status }: { $allegro }). Skróć opisy pozycji lub nazwę i kliknij „Wyślij ponownie”, albo przekaż fakturę kupującemu e-mailem.
problem-invoice-refused-invalid = Allegro nie przyjęło faktury (HTTP { $status }: { $allegro }). Zwykle to zamówienie anulowane albo już z fakturą od Ciebie; gdy przyczyna minie (np. zamówienie znów jest opłacone), kliknij „Wyślij ponownie”.
warehouse-negative = { $count ->
    [one] { $count } produkt ma ujemny stan: wydano (WZ) więcej, niż przyjęto. Przyjmij towar poniżej (PZ) albo popraw stan.
    [few] { $count } produkty mają ujemny stan: wydano (WZ) więcej, niż przyjęto. Przyjmij towar poniżej (PZ) albo popraw stan.
   *[many] { $count } produktów ma ujemny stan: wydano (WZ) więcej, niż przyjęto. Przyjmij towar poniżej (PZ) albo popraw stan.
}
rates-title = Kursy NBP
rates-intro = Faktura w euro, koronach czy forintach przelicza VAT na złote po kursie średnim NBP (tabela A) z ostatniego dnia roboczego przed obowiązkiem podatkowym (art. 31a ustawy o VAT). Serwer pobiera kursy z api.nbp.pl sam; gdy NBP nie odpowiada, wczytaj tabelę tutaj — posłuży tylko Twoim fakturom. Kurs z innego dnia nigdy nie zostanie użyty.
rates-missing-title = Na te kursy czekają faktury
rates-missing-item = { $count ->
    [one] { $currency } z { $day }: czeka { $count } faktura.
    [few] { $currency } z { $day }: czekają { $count } faktury.
   *[many] { $currency } z { $day }: czeka { $count } faktur.
}
rates-load-title = Wczytaj tabelę NBP
rates-file = Plik z kursami (CSV, UTF-8)
rates-file-hint = Jeden kurs w wierszu: waluta;RRRR-MM-DD;kurs;numer tabeli — kurs tak, jak podaje NBP (z przecinkiem lub kropką, do 6 miejsc po przecinku), np.
rates-load = Wczytaj kursy
rates-loaded = { $count ->
    [one] Wczytano { $count } kurs. Faktury, które na niego czekały, zostaną wystawione.
    [few] Wczytano { $count } kursy. Faktury, które na nie czekały, zostaną wystawione.
   *[many] Wczytano { $count } kursów. Faktury, które na nie czekały, zostaną wystawione.
}
rates-choose-file = Wybierz plik z kursami.
rates-not-utf8 = Plik „{ $file }” nie jest tekstem UTF-8. Zapisz go jako „CSV UTF-8” i wczytaj ponownie.
rates-on-record = Kursy w bazie
rates-none = Nie ma jeszcze żadnych kursów.
rates-day = Dzień tabeli
rates-currency = Waluta
rates-rate = Kurs średni
rates-table = Tabela
rates-source = Źródło
rates-source-nbp = NBP
rates-source-own = Twój plik „{ $file }”
dashboard-rates-missing = { $count ->
    [one] Brak kursu NBP { $currency } z { $day }: czeka { $count } faktura
    [few] Brak kursu NBP { $currency } z { $day }: czekają { $count } faktury
   *[many] Brak kursu NBP { $currency } z { $day }: czeka { $count } faktur
}
earlier-title = Faktury dla wcześniejszych zamówień
earlier-intro = Automatyczne faktury obejmują zamówienia, które osiągnęły wybrany status po włączeniu faktur — włączenie nigdy nie wystawia faktur wstecz. Zamówienia opłacone wcześniej i zaimportowane czekają tutaj: wystawisz je jednym przyciskiem, z dzisiejszą datą wystawienia.
earlier-none = Nie ma wcześniejszych zamówień bez faktury.
earlier-summary = { $count ->
    [one] { $count } zamówienie bez faktury, sprzedaż z { $first }.
    [few] { $count } zamówienia bez faktury, sprzedaż od { $first } do { $last }.
   *[many] { $count } zamówień bez faktury, sprzedaż od { $first } do { $last }.
}
earlier-late = { $count ->
    [one] { $count } z nich jest po terminie wystawienia faktury (15. dzień miesiąca po miesiącu sprzedaży, art. 106i ust. 1 ustawy o VAT): faktura wystawiona dziś będzie spóźniona.
    [few] { $count } z nich są po terminie wystawienia faktury (15. dzień miesiąca po miesiącu sprzedaży, art. 106i ust. 1 ustawy o VAT): faktury wystawione dziś będą spóźnione.
   *[many] { $count } z nich jest po terminie wystawienia faktury (15. dzień miesiąca po miesiącu sprzedaży, art. 106i ust. 1 ustawy o VAT): faktury wystawione dziś będą spóźnione.
}
earlier-button = Wystaw faktury dla wcześniejszych zamówień
earlier-issued = { $count ->
    [one] Wystawiono { $count } fakturę.
    [few] Wystawiono { $count } faktury.
   *[many] Wystawiono { $count } faktur.
}
earlier-failed = { $count ->
    [one] { $count } faktury nie udało się wystawić — powód jest na stronie zamówienia; spróbujemy ponownie sami.
   *[other] { $count } faktur nie udało się wystawić — powody są na stronach zamówień; spróbujemy ponownie sami.
}
settings-enabled-hint = Faktury wystawią się same dla zamówień, które osiągną wybrany status od chwili włączenia — nigdy wstecz. Wcześniejsze zamówienia:
problem-series-needs-year = Seria „{ $series }” nie zawiera roku {"{"}YYYY{"}"}: numery powtórzyłyby się w następnym roku i faktury przestałyby się wystawiać. Dodaj {"{"}YYYY{"}"}, np. FV/{"{"}n{"}"}/{"{"}MM{"}"}/{"{"}YYYY{"}"}.
problem-order-cancelled-no-invoice = Zamówienie jest anulowane: nie wystawia się do niego faktury. Jeśli faktura już była, wystawiamy do niej korektę.
invoice-late = po terminie
invoice-late-title = Wystawiona później niż 15. dnia miesiąca po miesiącu sprzedaży (art. 106i ust. 1 ustawy o VAT).
problem-bank-account-checksum = Numer rachunku ma błędną cyfrę kontrolną — sprawdź, czy żadna cyfra nie jest przestawiona ani pomylona.
problem-buyer-may-cancel = Kupujący z allegro.cz, .sk i .hu może sam anulować zakup przez 5 minut — fakturę wystawimy po { $until }.
problem-krs = Numer KRS „{ $value }” powinien mieć 10 cyfr.
problem-regon = REGON „{ $value }” powinien mieć 9 albo 14 cyfr.
problem-bdo = Numer BDO „{ $value }” to do 9 cyfr.
profile-registers = Rejestry (stopka faktury)
profile-registers-hint = Nieobowiązkowe: KRS i REGON spółki, numer BDO — jeśli je podasz, pojawią się w stopce każdej faktury.
warehouse-annex15 = Zał. 15 (MPP)
warehouse-annex15-hint = „Zał. 15”: czy produkt jest towarem z załącznika nr 15 do ustawy o VAT (np. telefony, laptopy, konsole, części samochodowe, paliwa, stal). Faktura dla firmy powyżej 15 000 zł z takim towarem dostaje oznaczenie „mechanizm podzielonej płatności”; gdy odpowiedź nie jest znana, faktura czeka na nią.
annex15-unknown = nie oznaczono
annex15-yes = tak
annex15-no = nie
problem-split-payment-unknown = Faktura dla firmy na { $amount } zależy od tego, czy towar jest z załącznika nr 15 do ustawy o VAT (mechanizm podzielonej płatności): { $products }. Oznacz te produkty w Magazynie (kolumna „Zał. 15”) — faktura zostanie wtedy wystawiona.
problem-vat-rate-unexpected = Allegro podaje dla „{ $item }” stawkę VAT { $rate }%, której nie ma w Polsce. Faktury nie wystawiono: popraw stawkę w ofercie (sprzedając z polskim VAT) albo — jeśli rozliczasz sprzedaż do konsumentów z UE w OSS — zaznacz to w profilu do faktur.
settings-cod-sale-when-sent = Za pobraniem: data sprzedaży to dzień nadania paczki (domyślnie: dzień odbioru i zapłaty przez kupującego) — faktura automatyczna czeka na ten dzień
profile-abroad = Sprzedaż za granicę (allegro.cz, .sk, .hu)
profile-intra-eu-supply = Firmy z UE: wewnątrzwspólnotowa dostawa towarów (WDT) ze stawką 0%
profile-intra-eu-supply-hint = Zaznacz, jeśli jesteś zarejestrowany jako podatnik VAT UE. Stawka 0% „0 WDT” trafia tylko na faktury dla firm, których numer VAT UE Allegro zweryfikowało, gdy towar wyjeżdża z Polski; pozostałe — z polskim VAT. Zachowaj dowód wywozu (art. 42 ustawy o VAT).
profile-oss = Konsumenci z UE: VAT kraju kupującego w procedurze OSS
profile-oss-hint = Zaznacz, jeśli rozliczasz sprzedaż wysyłkową w OSS (powyżej 10 000 € rocznie w UE lub z wyboru). Faktura bierze stawkę z oferty na Allegro i sprawdza ją ze stawkami kraju kupującego (CZ, SK, HU); inna stawka wstrzymuje fakturę. Bez zaznaczenia — polski VAT.
problem-oss-country-unknown = Sprzedaż do konsumenta w kraju { $country } w procedurze OSS: nie znamy stawek VAT tego kraju, więc faktury nie wystawiono. Wystaw ją ręcznie poza allegro-bridge albo wyłącz OSS w profilu.
problem-oss-rate-unexpected = OSS: Allegro podaje dla „{ $item }” stawkę VAT { $rate }%, a w kraju { $country } obowiązują stawki { $rates }%. Faktury nie wystawiono: popraw stawkę w ofercie na Allegro.
order-receipt = Sprzedaż była już na paragonie?
order-to-receipt = Wydano paragon — wystaw fakturę do paragonu (oznaczenie FP)
order-receipt-nip = Paragon zawiera NIP nabywcy (dla firmy wymagane: art. 106b ust. 5 ustawy o VAT)
problem-receipt-without-nip = Faktury dla firmy do paragonu bez jej NIP wystawić nie można (art. 106b ust. 5 ustawy o VAT; grozi sankcja 100% VAT z faktury). Zaznacz „Paragon zawiera NIP nabywcy”, jeśli tak było.
problem-ksef-token-format = To nie jest token KSeF: { $reason }. Wklej cały token wygenerowany w KSeF (numer|nip-…|sekret).
problem-ksef-token-other-nip = Token KSeF jest dla NIP { $token_nip }, a faktury wystawiasz z NIP { $nip } (profil do faktur). Wygeneruj token w kontekście NIP { $nip }.
problem-ksef-token-missing = Nie podano tokena KSeF. Wygeneruj go w Aplikacji Podatnika KSeF (uprawnienie „wystawianie faktur”) i wklej tutaj.
problem-ksef-token-refused = KSeF odrzuca token: { $reason }. Faktury czekają na wysłanie — wklej nowy token.
problem-ksef-token-no-invoice-write = Token KSeF nie ma uprawnienia do wystawiania faktur (InvoiceWrite); ma: { $permissions }. Wygeneruj token z tym uprawnieniem.
problem-ksef-unreachable = KSeF nie odpowiada ({ $detail }). Spróbuj za chwilę — faktury zaczekają.
problem-ksef-refused = KSeF odmówił: { $detail }
problem-ksef-url = „{ $url }” nie jest poprawnym adresem API KSeF.
problem-ksef-custom-urls-off = Własne adresy KSeF są wyłączone na tym serwerze; wybierz środowisko testowe, przedprodukcyjne lub produkcyjne.
ksef-title = KSeF
ksef-intro = Krajowy System e-Faktur: podaj środowisko i token KSeF wygenerowany w Aplikacji Podatnika dla NIP z profilu do faktur (uprawnienie „wystawianie faktur”). Token jest szyfrowany i nigdy nie jest pokazywany w całości.
ksef-environment = Środowisko
ksef-env-test = Testowe (api-test.ksef.mf.gov.pl)
ksef-env-demo = Przedprodukcyjne (api-demo.ksef.mf.gov.pl)
ksef-env-production = Produkcyjne — faktury prawnie wystawione
ksef-env-custom = Własny adres (emulator, pośrednik)
ksef-api-url = Adres API (tylko dla własnego adresu)
ksef-token = Token KSeF (zostaw puste, aby zachować zapisany)
ksef-token-set = Zapisany token:
ksef-token-none = Nie zapisano tokena.
ksef-send-consumer = Wysyłaj też faktury konsumenckie (dobrowolne; faktury dla firm z NIP idą do KSeF zawsze)
ksef-send-from = Wysyłaj faktury wystawione od dnia
ksef-check-title = Połączenie
ksef-check = Sprawdź połączenie
ksef-not-checked = Połączenia jeszcze nie sprawdzono.
ksef-checked = Połączono z KSeF jako NIP { $nip }; uprawnienia tokena: { $permissions } (sprawdzono { $at }).
problem-ksef-environment = Nieznane środowisko KSeF „{ $value }”: wybierz test, demo, production albo custom.
invoice-upo = UPO (potwierdzenie KSeF)
ksef-invoice-accepted = w KSeF, numer { $number } (nadany { $at })
ksef-invoice-rejected = KSeF odrzucił fakturę: { $why }
ksef-invoice-sent = wysłana do KSeF, czeka na numer
ksef-invoice-waiting = czeka na wysłanie do KSeF
ksef-invoice-waiting-because = czeka na wysłanie do KSeF: { $why } (następna próba { $next })
problem-ksef-rejected = KSeF odrzucił fakturę (kod { $code }: { $description }). { $details } Faktura zachowuje numer: popraw dane (profil do faktur, dane kupującego na Allegro) i kliknij „Wyślij ponownie do KSeF”.
problem-ksef-waits-for-original = Korekta czeka, aż faktura { $number } dostanie numer KSeF (korekta musi go podać).
invoice-ksef-resend = Wyślij ponownie do KSeF
problem-ksef-not-rejected = Ponownie wysłać można tylko fakturę, którą KSeF odrzucił.
problem-upload-waits-for-ksef = faktura czeka na numer KSeF, żeby kupujący dostał go na swojej kopii (najdłużej do { $until }, potem trafi na Allegro z oznaczeniem OFFLINE)
ksef-list-waiting = czeka na wysłanie
ksef-list-sent = wysłana, czeka na numer
ksef-list-accepted = w KSeF
ksef-list-rejected = odrzucona
ksef-list-outside = poza KSeF
ksef-history = Historia w KSeF
ksef-history-queued = { $at }: dodana do kolejki KSeF (w transakcji wystawienia)
ksef-history-offline = wystawiona offline ({ $mode }); do KSeF najpóźniej { $deadline }
ksef-history-technical-correction = wysyłana jako korekta techniczna odrzuconej faktury offline
ksef-history-session = wysłana w sesji { $session }
ksef-history-attempts = { $count ->
    [one] { $count } nieudana próba wysłania
    [few] { $count } nieudane próby wysłania
   *[many] { $count } nieudanych prób wysłania
}
ksef-history-accepted = KSeF nadał numer { $number } (tryb { $mode })
ksef-history-rejected = KSeF odrzucił fakturę — powód powyżej
ksef-list-offline = offline, z terminem
ksef-invoice-offline = wystawiona offline ({ $mode }): musi trafić do KSeF najpóźniej { $deadline } — { $state }
ksef-offline-offline24 = tryb offline24
ksef-offline-unavailable = niedostępność KSeF
ksef-offline-failure = awaria KSeF
ksef-offline-deadline-open = po końcu niedostępności lub awarii KSeF (termin zostanie podany)
ksef-offline-deadline-open-unavailable = następnego dnia roboczego po końcu niedostępności KSeF
ksef-offline-deadline-open-failure = w ciągu 7 dni roboczych po końcu awarii KSeF
ksef-offline24 = Wystawiaj faktury w trybie offline24 (kupujący dostaje fakturę od razu, do KSeF trafia najpóźniej następnego dnia roboczego)
ksef-offline24-hint = Bez tej opcji faktury idą do KSeF od razu; gdy KSeF nie odpowiada dłużej niż kilka minut, są wystawiane offline (niedostępność KSeF) i wysyłane, gdy wróci.
ksef-failure-announced = Ministerstwo Finansów ogłosiło awarię KSeF (tryb awaryjny)
ksef-failure-hint = Zaznacz tylko po komunikacie Ministerstwa (BIP, Latarnia KSeF). Faktury są wtedy wystawiane offline w trybie awaryjnym; odznacz po ogłoszeniu końca awarii — faktury muszą trafić do KSeF w ciągu 7 dni roboczych.
ksef-failure-since = Tryb awaryjny KSeF od { $at }: faktury są wystawiane offline. Odznacz „awarię” po komunikacie o jej końcu.
ksef-unreachable-since = KSeF nie odpowiada od { $at }. Faktury są wystawiane offline i zostaną wysłane, gdy KSeF wróci — najpóźniej następnego dnia roboczego po końcu niedostępności.
ksef-certificate-title = Certyfikat offline (KOD II)
ksef-certificate-intro = Faktura wystawiona offline ma drugi kod QR (KOD II, „CERTYFIKAT”), podpisany certyfikatem KSeF typu Offline. Wygeneruj go w Aplikacji Podatnika KSeF i wklej certyfikat oraz klucz prywatny (PEM). Klucz jest szyfrowany i nigdy nie jest pokazywany.
ksef-certificate-set = Zapisany certyfikat offline nr { $serial }, ważny do { $until }.
ksef-certificate-none = Nie zapisano certyfikatu offline: faktury offline będą miały tylko KOD I.
ksef-certificate-pem = Certyfikat (PEM)
ksef-certificate-key = Klucz prywatny (PEM, PKCS#8)
ksef-certificate-save = Zapisz certyfikat
ksef-certificate-remove = Usuń certyfikat
problem-ksef-certificate-invalid = Certyfikat offline nie został zapisany: { $reason }.
problem-ksef-certificate-expired = Certyfikat offline wygasł { $until }; wygeneruj nowy w Aplikacji Podatnika KSeF.
dashboard-ksef-offline = { $count ->
    [one] { $count } faktura wystawiona offline czeka na KSeF; najbliższy termin: { $deadline }
    [few] { $count } faktury wystawione offline czekają na KSeF; najbliższy termin: { $deadline }
   *[many] { $count } faktur wystawionych offline czeka na KSeF; najbliższy termin: { $deadline }
}
dashboard-ksef-deadline-near = Uwaga: faktury wystawione offline muszą trafić do KSeF najpóźniej { $deadline }. Sprawdź, czy połączenie z KSeF działa (Faktury → KSeF).
dashboard-ksef-deadline-passed = Termin wysłania faktur offline do KSeF minął { $deadline }. Wyślij je jak najszybciej i skonsultuj się z księgowym.
dashboard-ksef-rejected = { $count ->
    [one] KSeF odrzucił { $count } fakturę — popraw dane i wyślij ponownie
    [few] KSeF odrzucił { $count } faktury — popraw dane i wyślij ponownie
   *[many] KSeF odrzucił { $count } faktur — popraw dane i wyślij ponownie
}
dashboard-ksef-waiting = { $count ->
    [one] { $count } faktura czeka na numer KSeF
    [few] { $count } faktury czekają na numer KSeF
   *[many] { $count } faktur czeka na numer KSeF
}
invoice-ksef-compare = Porównaj z KSeF
ksef-compared-same = Kopia faktury w KSeF jest bajt w bajt taka, jak wysłana i zapisana tutaj.
ksef-compared-different = Kopia faktury w KSeF różni się od zapisanej tutaj — zgłoś to administratorowi.
problem-ksef-no-number-yet = Faktura nie ma jeszcze numeru KSeF.
problem-ksef-batch-missing = KSeF nie wymienił faktury na liście sesji wsadowej; zostanie wysłana ponownie.
problem-nip-tax-office = „{ $value }” nie jest poprawnym NIP-em: żaden urząd skarbowy nie ma kodu, którym się zaczyna.
