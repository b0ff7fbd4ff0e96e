//! The Lumen Voice document's code tables, verbatim: the PartnerNotification
//! codes (webhook and `GET notifications`) and the API error codes with the
//! HTTP status of the table they appear in. Shared by the adapter (log text,
//! attention, dialog messages) and the simulator (its error bodies), so both
//! speak the document's own words. Pure data; no I/O.
//!
//! The tables were extracted mechanically from the document; the typos in it
//! ("suppliment", "las name", "directoryFirsTelephone numberame") are kept on
//! purpose, because the carrier sends them that way.

/// Every notification code of the document's PartnerNotification table, with
/// the document's message, verbatim (typos included).
pub const NOTIFICATIONS: &[(&str, &str)] = &[
    (
        "901",
        "Order successfully submitted. Please refer to Voice Order ID for reference number.",
    ),
    (
        "902",
        "Order successfully installed. Please refer to Voice Order ID for reference number.",
    ),
    (
        "903",
        "LNP (porting) order FOC (Firm Order Commitment) is scheduled. Please see FOC data provided.",
    ),
    ("904", "Your LNP (porting) order action has been updated."),
    (
        "906",
        "Disconnect order is complete. Please refer to Voice Order ID for reference number.",
    ),
    (
        "1302",
        "Rate Center is not open for orders, or future rate center is not available. Please select a different rate center.",
    ),
    (
        "1303",
        "Coverage is not available for this rate center. This order is rejected. Please use the /coverage API to find a rate center. Then place a new order. If you require further assistance log into the servicer portal and create a ticket.",
    ),
    (
        "1304",
        "The rate center provided cannot be found, check the rate center name and resubmit.",
    ),
    (
        "1403",
        "Customer number / Master BusOrg can not be found. Only the customer number(s) that has been associated to your credentials is valid for this transaction. Contact your account manager or log a help ticket in API marketplace.",
    ),
    (
        "1429",
        "Customer number / Master BusOrg can not be found. You must have a valid and active customer number in order to use this API. Contact your account manager or log a help ticket in API marketplace.",
    ),
    (
        "1616",
        "No active service found for the telephone number(s) entered. Please verify the telephone number(s) or customer number and try again.",
    ),
    (
        "1648",
        "Account has utilized less than 75% of current telephone number inventory at the given rate center. The order cannot be processed at this time. Please use telephone numbers from your existing inventory. If you need further assistance log into the service portal and create a ticket, or contact your account manager.",
    ),
    (
        "1807",
        "Order has been put on credit hold. Please contact CreditCheck.Finance@centurylink.com to inquire about your account status.",
    ),
    (
        "1921",
        "Order is rejected due to expired approval time. Please resubmit your order and respond to approval notification within 4 hours. If you require further assistance log into the servicer portal and create a ticket.",
    ),
    (
        "4011",
        "Orders are already in progress or in backorder. This could be due to multiple orders submitted. This order cannot be processed at this time. If you require further assistance log into the service portal and create a ticket.",
    ),
    (
        "10001",
        "Requested amount exceeds the {ORDER_Telephone number_QTY} telephone numbers available. Please select one of the following actions to proceed: \"Reject\" - do not reserve any telephone numbers at this time. \"Accept with backorder\" - Reserve the available telephone numbers and place the remaining balance on backorder. \"Accept available only\" - Only reserve the telephone number quantity available, and do not create a backorder.",
    ),
    (
        "10002",
        "Voice order is complete. Please refer to Voice Order ID for reference number.",
    ),
    (
        "10004",
        "Your back order cannot be fulfilled and has been cancelled. Please contact LEUOrders@Lumen.com for more assistance.",
    ),
    (
        "10005",
        "Your back order has been cancelled per your request.",
    ),
    (
        "10006",
        "Reclamation. Back order with same customer reclaim is being done. Please contact LEUOrders@Lumen.com for more assistance.",
    ),
    (
        "10008",
        "System issue. Back orders cycling due to issue with inventory. Please contact LEUOrders@Lumen.com for more assistance.",
    ),
    (
        "10009",
        "Backorder has been cancelled. The rate center you selected is invalid or was consolidated into another rate center. Please place the order using a different rate center or log into the portal and create a service ticket.",
    ),
    (
        "10010",
        "Backorder has been cancelled. The rate center you selected is not available for native telephone number ordering. Please select a different rate center and place the order again.",
    ),
    (
        "10012",
        "Order exceeds available inventory and cannot be processed at this time. Back orders are not supported in this region. If you require further assistance log into the service portal and create a ticket.",
    ),
    (
        "10013",
        "We did not receive your confirmation of back orders. Back orders have been cancelled for your voice order. If you wish to place the back order create a new reservation order and confirm back order within 4 hours of placing the order.",
    ),
    (
        "10015",
        "Order exceeds available inventory and cannot be processed at this time. Backorders are not supported for PBX Restricted Telephone numbers. Please contact LEUOrders@Lumen.com for more assistance.",
    ),
    (
        "20020",
        "For a residential customer, the directory listing first name and last name is required.",
    ),
    ("20063", "Invalid Customer Service name."),
    (
        "20066",
        "Unable to complete LNP (porting) cancel. Cancellations are allowed up to one business day before FOC (Firm Order Commitment) date. Once LNP order completes you may issue a change order. If you require further assistance log into the service portal and create a ticket.",
    ),
    (
        "20107",
        "The order information you provided is not for an active backorder.",
    ),
    (
        "20217",
        "<telephone Number> is not valid telephone number. Please resubmit your request",
    ),
];

/// Every error code of the document's error tables: code, HTTP status of its
/// table, and the document's message, verbatim (typos included).
pub const ERRORS: &[(&str, u16, &str)] = &[
    (
        "1405",
        400,
        "Customer service name is invalid for given customer number. Please check your customer service name (route name) and try again.",
    ),
    (
        "1612",
        400,
        "This order cannot be processed at this time. This could be due to multiple orders submitted for this telephone number, or it is in a pending status. If you need assistance, please log into the service portal and create a ticket.",
    ),
    (
        "10007",
        400,
        "Order exceeds limit for 399 telephone numbers per rate center. Please reduce order or make your request through LEUOrders@Lumen.com.",
    ),
    (
        "10011",
        400,
        "Telephone number quantity cannot be zero, please resubmit.",
    ),
    (
        "20000",
        400,
        "Invalid or missing product ID. Please check your product ID and try again.",
    ),
    (
        "20001",
        400,
        "Invalid customer type. Valid values B- Business or R-Residence",
    ),
    (
        "20003",
        400,
        "First name and last name are required when business type is residential.",
    ),
    (
        "20004",
        400,
        "Business name is required when customer type is business.",
    ),
    (
        "20005",
        400,
        "Business name must be NULL when customer type is residential.",
    ),
    (
        "20006",
        400,
        "First name and last name must be NULL when customer type is business.",
    ),
    ("20007", 400, "Address street number is required."),
    ("20008", 400, "Address street name is required."),
    ("20009", 400, "Address street suffix is not a valid."),
    ("20010", 400, "Address city is required."),
    (
        "20011",
        400,
        "Address state is missing or invalid. Please check your 2-digit state code and try again.",
    ),
    ("20012", 400, "Address zip code is required."),
    ("20013", 400, "Zip code must be a 5-digit numeric value."),
    (
        "20014",
        400,
        "Secondary location exceeds 20 character limit.",
    ),
    (
        "20015",
        400,
        "Telephone number list must be populated. Please correct and try again.",
    ),
    (
        "20016",
        400,
        "Invalid telephone number. The telephone number you have provided is invalid or cannot be found. Please check your telephone number and try again. If the problem persists, please log into the service portal and create a service ticket.",
    ),
    (
        "20019",
        400,
        "For a business customer, the directory listing business name is required.",
    ),
    (
        "20020",
        400,
        "For a residential customer, the directory listing first name and last name is required.",
    ),
    (
        "20021",
        400,
        "Directory listing type is required. Please select from 1(List and Publish), 2(List Only) and resubmit. To remove use directory listing action = R (remove).",
    ),
    (
        "20022",
        400,
        "Directory listing action must equal A (Add) for new install orders.",
    ),
    (
        "20023",
        400,
        "Block Customer Name is required and it should be \"Y\" or \"N\".",
    ),
    ("20024", 400, "CNAM Customer Name is required"),
    (
        "20025",
        400,
        "Telephone number is invalid or missing. Please correct and resubmit.",
    ),
    (
        "20026",
        400,
        "Letter of authorization (LOA) name is required for LNP orders.",
    ),
    (
        "20027",
        400,
        "Please indicate \"Y\" or \"N\" if letter of authorization (LOA) has been received for LNP orders. LNP order can not be processed with out LOA.",
    ),
    (
        "20028",
        400,
        "Letter of authorization (LOA) date time is required to process LNP order",
    ),
    (
        "20029",
        400,
        "Invalid or missing subscriber line information.",
    ),
    (
        "20030",
        400,
        "There must be one subscriber line submitted per request.",
    ),
    (
        "20031",
        400,
        "There must be one subscriber line submitted per request.",
    ),
    (
        "20032",
        400,
        "Invalid or missing Customer Service Name from Order Mapping List.",
    ),
    (
        "20040",
        400,
        "E911 option is invalid or missing. Please note, customer provided E911 is only available for specific products. Please check your E911 option and try again. If you require further assistance log into the servicer portal and create a ticket.",
    ),
    (
        "20041",
        400,
        "Customer number provided does not own the given telephone number. Please check customer number and TN and try again.",
    ),
    (
        "20042",
        400,
        "Telephone number provided for change request can not found. Please ensure your own this telephone number and try again.",
    ),
    (
        "20043",
        400,
        "Customer Type Indicator must be provided for a Subscriber name change.",
    ),
    (
        "20044",
        400,
        "Customer Type Indicator must be B for a business name change.",
    ),
    (
        "20045",
        400,
        "Customer Type Indicator must be R for a residential name change.",
    ),
    (
        "20046",
        400,
        "For a Subscriber name change, both first name and las name must be provided",
    ),
    (
        "20047",
        400,
        "Letter of authorization (LOA) date time should be in date format of YYYY-MM-DDTHH:MM:SSZ",
    ),
    (
        "20048",
        400,
        "At least one of the fields <Customer Type Indication, Billing Telephone number, First Name, Last Name, Middle Initial, Business Name> has to be selected for LNP order.",
    ),
    ("20049", 400, "Invalid Voice Order ID."),
    (
        "20050",
        400,
        "Customer request date should be in date format of YYYY-MM-DDTHH:MM:SSZ.",
    ),
    (
        "20051",
        400,
        "Directory listing action must be C for change orders",
    ),
    (
        "20052",
        400,
        "One of directory listing attributes - directoryFirsTelephone numberame, directoryLasTelephone numberame, directoryBusinessName must be specified when directoryListingAction is Change",
    ),
    (
        "20054",
        400,
        "The Voice Order ID can not be found. Cancel order has been rejected. Please check your order number and try again. If you need more assistance log into the service portal and create a ticket.",
    ),
    (
        "20055",
        400,
        "Voice Order ID provided can not be found for the given Customer number. Please check both IDs and try again.",
    ),
    (
        "20057",
        400,
        "At least one of the fields <Customer Type Indicator, Subscriber Name, E911_Option, Service Address, Directory Listing or CNAM> has to be selected for change order.",
    ),
    (
        "20060",
        400,
        "The Voice Order ID provided can not be found for the given customer number. Please check both IDs and try again.",
    ),
    (
        "20061",
        400,
        "Telephone number provided is not active. Disconnect request has been rejected.",
    ),
    (
        "20064",
        400,
        "Invalid or missing voice order ID. Cancel order can not be completed.",
    ),
    (
        "20065",
        400,
        "Order has been completed and can not be cancelled. If you require further assistance log into the servicer portal and create a ticket.",
    ),
    ("20067", 400, "Customer requested date cannot be NULL"),
    (
        "20068",
        400,
        "Customer request date must be at least 1 day from date order is submitted. Please change the customer request date and resubmit",
    ),
    (
        "20069",
        400,
        "Invalid format for customer requested date. Use date format of YYYY-MM-DDTHH:MM:SSZ for suppliment and disconnect order.",
    ),
    (
        "20070",
        400,
        "Supplement order can no longer be cancelled. If you require further assistance log into the servicer portal and create a ticket.",
    ),
    (
        "20082",
        400,
        "Invalid or missing PBX index. PBX index indicates the digit in the 10 digit Telephone number in which a specific value must be excluded.",
    ),
    (
        "20083",
        400,
        "Invalid or missing PBX value. PBX value that mush be excluded from the number as indicated in pbxIndex.",
    ),
    (
        "20084",
        400,
        "Invalid or missing sequential Telephone number. Indicates the number of sequential Telephone number’s for a single state/rate center. If you do not want sequential use NULL.",
    ),
    ("20085", 400, "Rate Center cannot be NULL."),
    ("20088", 400, "Rate Center or state is missing"),
    (
        "20089",
        400,
        "Rate Center does not match with the rate center from Parent Order",
    ),
    (
        "20090",
        400,
        "Use only tnList or TN location attributes (tnLocNxx, tnLocNpa, tnLocCity, tnLocState, tnLocZip).",
    ),
    (
        "20091",
        400,
        "Invalid NPA/NXX in telephone number Location.",
    ),
    (
        "20092",
        400,
        "Invalid city, state, zip in telephone number location",
    ),
    ("20093", 400, "Invalid telephone number location."),
    ("20102", 400, "Customer number and service ID is required."),
    ("20103", 400, "Invalid page number"),
    ("20104", 400, "Invalid page size"),
    (
        "20108",
        400,
        "Provided order has already been cancelled and can not be cancelled again.",
    ),
    (
        "20109",
        400,
        "Order number can not be found as a LNP order.",
    ),
    ("20112", 400, "Invalid losing carrier account number"),
    ("20113", 400, "Invalid losing carrier PIN"),
    (
        "20114",
        400,
        "Invalid losing carrier wireless LNP. It should be \"Y\" or \"N\".",
    ),
    ("20115", 400, "Invalid or missing telephone number."),
    ("20204", 400, "Invalid or missing working telephone number"),
    ("20207", 400, "Invalid or missing route plan name"),
    (
        "20210",
        400,
        "Invalid format for first name. Special characters are not accepted.",
    ),
    (
        "20211",
        400,
        "Invalid format for last name. Special characters are not accepted.",
    ),
    (
        "20213",
        400,
        "Customer requested date should not exceed more than 30 days from todays date. Use format YYYY-MM-DDTHH:MM:SSZ.",
    ),
    (
        "20214",
        400,
        "Customer request date can not be less than current date. Use format YYYY-MM-DDTHH:MM:SSZ.",
    ),
    (
        "20215",
        400,
        "Customer request date should be in date format of YYYY-MM-DDTHH:MM:SSZ",
    ),
    (
        "20218",
        400,
        "Customer Name length should not be more than 15 characters.",
    ),
    (
        "20231",
        400,
        "Customer request date can not be less than one week ahead for install order. Use format YYYY-MM-DDTHH:MM:SSZ.",
    ),
    (
        "20232",
        400,
        "Directory listing action C (Change) or D (Delete) is not allowed on new install orders",
    ),
    (
        "20237",
        400,
        "Only basic Latin (Unicode block) upper and lower case characters are supported at this time. Please remove special characters or non-basic Latin characters and resubmit.",
    ),
    (
        "20238",
        400,
        "This order has completed and cannot be cancelled. Please submit a change order to modify the telephone number information.",
    ),
    ("403001", 403, "User authentication failed"),
    ("403002", 403, "Token validation failed"),
    ("403003", 403, "Application key validation failed"),
    ("403004", 403, "Digest validation failed"),
    ("403005", 403, "Not authorized for method"),
    ("403006", 403, "Token expired"),
    ("404001", 404, "Requested resource not found"),
    ("405001", 405, "Method not allowed for resource"),
    ("406001", 406, "Not acceptable"),
    (
        "409001",
        409,
        "Resource could not be updated due to conflicting update",
    ),
    ("500001", 500, "Internal service error"),
    ("503001", 503, "Service unavailable"),
    ("504001", 504, "Mediation timed out"),
    ("504002", 504, "Provider timed out"),
];

/// The notification codes that need the customer to act, and why. An order
/// with one of these (see `notify::attention`) is put in needs-attention.
pub const ATTENTION: &[(&str, &str)] = &[
    ("10001", "backorder decision needed within 4 hours"),
    (
        "1648",
        "under 75% utilisation of inventory in the rate center",
    ),
    ("1807", "credit hold"),
    ("1921", "rejected: backorder approval time expired"),
    ("10013", "backorders cancelled: no confirmation received"),
    ("1302", "rejected: rate center not open"),
    ("1303", "rejected: no coverage in rate center"),
    ("1304", "rejected: rate center not found"),
    (
        "1403",
        "rejected: customer number not associated with the credentials",
    ),
    ("1429", "rejected: customer number not found"),
];

/// The document's message for a notification code.
pub fn notification_message(code: &str) -> Option<&'static str> {
    NOTIFICATIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, m)| *m)
}

/// The document's message for an error code.
pub fn error_message(code: &str) -> Option<&'static str> {
    ERRORS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, m)| *m)
}

/// The HTTP status of the document's table that lists `code`.
pub fn error_status(code: &str) -> Option<u16> {
    ERRORS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, s, _)| *s)
}

/// The document's message for any code: error table first, then the
/// notification table (20066, 1403 and 1429 are listed only there).
pub fn message(code: &str) -> Option<&'static str> {
    error_message(code).or_else(|| notification_message(code))
}

/// Why a notification code needs the customer to act, if it does.
pub fn attention_reason(code: &str) -> Option<&'static str> {
    ATTENTION.iter().find(|(c, _)| *c == code).map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_hold_the_documents_codes() {
        assert_eq!(NOTIFICATIONS.len(), 31);
        assert_eq!(ERRORS.len(), 103);
        assert_eq!(
            notification_message("903"),
            Some(
                "LNP (porting) order FOC (Firm Order Commitment) is scheduled. Please see FOC data provided."
            )
        );
        assert_eq!(error_status("20068"), Some(400));
        assert_eq!(error_status("403006"), Some(403));
        assert_eq!(error_status("504002"), Some(504));
        assert_eq!(
            message("20066").map(|m| m.starts_with("Unable to complete LNP")),
            Some(true)
        );
        for (code, _) in ATTENTION {
            assert!(
                notification_message(code).is_some(),
                "{code} is a documented notification"
            );
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (c, _, _) in ERRORS {
            assert!(seen.insert(*c), "duplicate error code {c}");
        }
        let mut seen = std::collections::HashSet::new();
        for (c, _) in NOTIFICATIONS {
            assert!(seen.insert(*c), "duplicate notification code {c}");
        }
    }
}
